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


def test_the_servers_projects_keep_their_memory_bounded(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "a.py").write_text("x = 1\n")
    projects = Projects(lambda message: None)
    projects.set_folders([tmp_path])
    project = projects.project_at(projects.folders[0])
    assert project.index.bounded_decoding and project.options.lazy_stats
