"""IncrementalSummarizer equals summarize_source on every version of an edited buffer (hypothesis)."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from importsense.project.incremental import IncrementalSummarizer, split_lines
from importsense.project.summary import summarize_source

MODULE = textwrap.dedent('''\
    """A module with most of what the summary records."""
    from __future__ import annotations

    import os
    import os.path as osp
    from unittest import mock
    from . import sibling
    from .pkg import *
    try:
        import fast_json as json
    except ImportError:
        import json

    __all__ = ["Service", "helper"]
    __all__ += ["extra"]


    @decorator
    class Service(Base):
        limit = 3

        def __init__(self, client):
            self.client = client

        def run(self):
            return os.path.join(self.client.root, osp.sep)


    def helper(value):
        service = Service(value)
        service.run()
        service.missing()
        return json.dumps(value)


    instance = Service(None)
    instance.limit
    (a, b) = 1, 2
    if (walrus := 3):
        pass


    def test_patch():
        with mock.patch("pkg.mod.name"):
            mock.patch.object(Service, "run")
''')

PIECES = [
    "x", "os", "Service", "instance", "mock", "json", "(", ")", "[", "]", "'", '"""', ":", " = ", "\n", "\r",
    "\r\n", "    ", "#", "\\", ".", "@d\n", "import os\n", "from . import q\n", "class C:\n    a = 1\n",
    "def f():\n    return 1\n", "y = Service()\n", "y.attr\n", "Service.attr = 1\n", "__all__ = ['z']\n",
    "__all__.append('w')\n", "= C\n(", "z := 1", "\f", "\x85", "\u2028", "é", "\x00", "global g\n",
    "os = 1\n", "Service = None\n", "def json():\n    pass\n", "mock.patch('a.b')\n", "import mock\n",
]

STATEMENTS = [
    "import os\n", "from . import q\n", "class C:\n    a = 1\n", "def f():\n    return os.sep\n",
    "y = Service()\n", "y.attr\n", "Service.attr = 1\n", "__all__ = ['z']\n", "__all__.append('w')\n",
    "os = 1\n", "Service = None\n", "def json():\n    pass\n", "mock.patch('a.b')\n", "import mock\n",
    "x = C\n", "(p, q) = C(), 2\n", "global g\n", "from unittest.mock import patch\n", "patch('x.y')\n",
    "if (w := 2):\n    w.real\n", "@dec\nclass D(Service):\n    pass\n", "# comment\n", "\n",
    "import sys\nPY3 = sys.version_info >= (3,)\n", "if PY3:\n    import json\n", "y = 2  # =\n",
    "globals().get('a')\n", "sys.modules['m'] = object()\n", "class E:\n    pass\n", "E.extra = 1\n",
]
operations = st.one_of(
    st.tuples(st.just("statement"), st.floats(0, 1), st.sampled_from(STATEMENTS)),  # keeps the text valid
    st.tuples(st.just("text"), st.floats(0, 1), st.lists(st.sampled_from(PIECES), max_size=3).map("".join)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 8)),
)


def _top_level_offsets(text: str) -> list[int]:
    offsets = [0]
    position = 0
    for line in split_lines(text):
        position += len(line)
        if line[:1] and line[:1] not in " \t\r\n#" and position - len(line) > 0:
            offsets.append(position - len(line))
    return offsets


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(operations, min_size=1, max_size=25))
def test_every_version_equals_a_full_summary(changes):
    text = MODULE * 3  # long enough for several chunks
    summarizer = IncrementalSummarizer()
    assert summarizer.update(text) == summarize_source(text)
    good = text
    for kind, where, what in changes:
        if kind == "statement":
            offsets = _top_level_offsets(text)
            offset = offsets[int(where * (len(offsets) - 1))]
            text = text[:offset] + what + text[offset:]
        elif kind == "text":
            offset = int(where * len(text))
            text = text[:offset] + what + text[offset:]
        else:
            offset = int(where * len(text))
            text = text[:offset] + text[offset + what:]
        summary = summarizer.update(text)
        assert summary == summarize_source(text), summarizer.mode
        if summary.syntax_error is None:
            good = text
        elif where > 0.3:
            text = good  # back to the last text that parsed, as typing through a broken state does
            assert summarizer.update(text) == summarize_source(text)


def test_edits_are_incremental_and_a_broken_text_keeps_the_last_good_chunks():
    text = MODULE * 20
    summarizer = IncrementalSummarizer()
    summarizer.update(text)
    assert summarizer.mode == "full"
    position = text.index("return json.dumps(value)")
    edited = text[:position] + "value = 1\n    " + text[position:]
    assert summarizer.update(edited) == summarize_source(edited)
    assert summarizer.mode == "incremental"
    broken = edited[:position] + "value = (\n" + edited[position:]
    assert summarizer.update(broken) == summarize_source(broken)
    assert summarizer.mode == "error"
    assert summarizer.update(edited) == summarize_source(edited)
    assert summarizer.mode == "incremental"  # the chunks from before the broken text were kept
    assert summarizer.update(edited) is summarizer.update(edited)
    assert summarizer.mode == "unchanged"


def test_a_long_text_is_parsed_in_segments_that_agree_with_the_whole():
    text = MODULE * 60 + "s = '''\n" + "def not_code():\n" * 500 + "'''\n"
    summarizer = IncrementalSummarizer()
    assert summarizer.update(text) == summarize_source(text)
    assert "not_code" not in summarizer.update(text).bound


def test_split_lines_breaks_only_where_python_does():
    assert split_lines("a\fb\x85c\u2028d\r\ne\rf\n") == ["a\fb\x85c\u2028d\r\n", "e\r", "f\n"]
    assert split_lines("a\nb") == ["a\n", "b"]


FILLER = "".join(f"def filler_{i}(value):\n    return value + {i}\n\n\n" for i in range(30))  # several chunks

CROSS_CHUNK = {
    "conditions": "import sys\nNEW_API = sys.version_info >= (3, 12)\n" + FILLER
                  + "if NEW_API:\n    import json\nelse:\n    import simplejson as json\n",
    "open namespace": FILLER + "def last():\n    return 2  # settings =\n" + "globals().get('a')\n",
    "open namespace, subscript": FILLER + "def last():\n    return 2  # globals()\n" + "\n[a] = [2]\n",
    "class stores": "class Config:\n    pass\n" + FILLER + "Config.debug = True\n",
    "instances": "from app import Client\n" + FILLER + "client = Client()\n" + FILLER + "client.connect()\n",
    "all": "__all__ = ['a']\n" + FILLER + "__all__ += ['b']\n" + FILLER + "__all__.append('c')\n",
    "constructor across a boundary": "from app import Client\n" + FILLER + "def last():\n    x = 1  # y = Client\n"
                                     + "(a, b) = 1, 2\n",
}


@pytest.mark.parametrize("name", sorted(CROSS_CHUNK))
def test_file_wide_facts_cross_chunks(name):
    """Facts one chunk states and another uses: every edit keeps the summary equal to a full one."""
    text = CROSS_CHUNK[name]
    summarizer = IncrementalSummarizer()
    assert summarizer.update(text) == summarize_source(text)
    middle = text.index("def filler_5")
    versions = [
        text[:middle] + "# an edit far from both ends\n" + text[middle:],
        text.replace("return value + 7", "return value + 70"),
        text.replace("NEW_API", "OLD_API").replace("Config.debug", "Config.verbose").replace("client.connect", "client.close"),
        text,
    ]
    for version in versions:
        assert summarizer.update(version) == summarize_source(version), (name, summarizer.mode)
    assert len(summarizer._placed) > 3  # the facts really are in different chunks


def test_the_merge_knows_every_summary_field():
    """A new FileSummary field must be merged here too (until then every update summarises the whole text)."""
    from importsense.project import incremental

    assert incremental.INCREMENTAL, sorted(set(incremental.FileSummary.__dataclass_fields__) ^ incremental.MERGED_FIELDS)


@pytest.mark.parametrize("tail", [
    "if FLAG:\n    x = 1\nelse:\n    x = 2\n",
    "try:\n    import fast\nexcept ImportError:\n    fast = None\nfinally:\n    pass\n",
    "data = [\n" + "1,\n" * 200 + "]\n",
    "text = '''\n" + "def fake():\n" * 200 + "'''\n",
])
def test_segments_never_split_a_statement(tail):
    """Segments are cut at column-0 lines; a cut inside a statement or string must not change the summary."""
    text = FILLER * 4 + tail + FILLER
    summarizer = IncrementalSummarizer()
    assert summarizer.update(text) == summarize_source(text)
    assert summarizer.mode == "full"
    assert len(summarizer._placed) > 2  # really segmented
