"""What a figure looks like: chart cards, Plotly and SVG charts, tables, downloads, the village card, office contacts and the page list; DataFrame in, figure or text out (no Streamlit)."""
