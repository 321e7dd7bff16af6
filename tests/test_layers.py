"""The layers of bulukumba/ hold (.importlinter, docs/architecture.md): a module never imports from
a layer above its own, only the Streamlit glue imports Streamlit, and no two sibling modules import
each other round in a circle. import-linter reads the real imports of the real code."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def lint(config: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command as main; main()",
                           "--config", str(config), "--no-cache"],
                          cwd=ROOT, capture_output=True, text=True)


def test_every_layer_contract_is_kept():
    result = lint(ROOT / ".importlinter")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_the_contract_sees_a_layer_turned_upside_down(tmp_path):
    # The same contract with the glue put beneath the store must break: the checker reads the
    # imports the code really makes (web imports the store), it does not pass by default.
    config = (ROOT / ".importlinter").read_text()
    upside_down = config.replace("    bulukumba.web\n", "").replace(
        "    bulukumba.config\n", "    bulukumba.config\n    bulukumba.web\n")
    path = tmp_path / "importlinter.ini"
    path.write_text(upside_down)
    result = lint(path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "bulukumba.web" in result.stdout
