"""Words and numbers as the office writes them: Indonesian formats (fmt) and every label (texts)."""
