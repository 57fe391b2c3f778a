"""The pipeline end to end: notebooks run by papermill into any OUT folder."""
import json

from helpers import paths


def test_pipeline_writes_processed_tables_for_both_reports(built):
    for report_id in ("thai-nguyen_2022", "bac-kan_2023"):
        folder = paths.processed_dir(report_id, built)
        assert (folder / "indicators.csv").stat().st_size > 0
        assert (folder / "facts.csv").stat().st_size > 0


def test_executed_notebooks_are_kept(built):
    executed = paths.executed_notebooks_dir("thai-nguyen_2022", built) / "01_ingest.ipynb"
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    assert any(cell.get("outputs") for cell in cells if cell["cell_type"] == "code")


def test_committed_notebooks_have_no_outputs_and_a_parameters_cell():
    for notebook in sorted(paths.NOTEBOOKS.glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        code = [cell for cell in cells if cell["cell_type"] == "code"]
        assert all(not cell.get("outputs") and cell.get("execution_count") is None
                   for cell in code), notebook.name
        assert any("parameters" in cell.get("metadata", {}).get("tags", []) for cell in code), \
            notebook.name
