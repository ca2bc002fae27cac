"""A workspace folder opened below the project root belongs to that project (Eglot opens subfolders)."""

from importsense.lsp.projects import Projects


def test_subfolder_maps_to_the_project_above(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    sub = tmp_path / "tests" / "integration"
    sub.mkdir(parents=True)
    other = tmp_path.parent / (tmp_path.name + "-loose")
    other.mkdir()
    projects = Projects(lambda message: None)
    projects.set_folders([sub, other])
    assert projects.root_for(sub / "test_x.py") == tmp_path.resolve()
    assert projects.root_for(other / "a.py") == other.resolve()
