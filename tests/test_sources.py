"""The source register quotes the verified reference texts verbatim."""

import re

import pytest
import yaml

from cadrekit.bank.sources import VERIFIED_STATUSES, normalize_wording

from .conftest import KIT, SHARED_REFERENCE, require

REGISTER = sorted((KIT / "quizzes" / "sources").glob("*.yaml"))


def reference_corpus() -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SHARED_REFERENCE.rglob("*.md"))]
    return normalize_wording("".join(texts).replace("*", ""))


def test_register_exists():
    assert REGISTER, "quizzes/sources/ has no regulation files"


@pytest.mark.parametrize("path", REGISTER, ids=[p.stem for p in REGISTER])
def test_registered_wording_is_in_the_reference(path):
    require(SHARED_REFERENCE.is_dir(), f"reference texts not found at {SHARED_REFERENCE}")
    corpus = reference_corpus()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["regulation"] and data["title"] and data["reference"]
    missing = []
    for article, entry in data["articles"].items():
        assert entry["status"] in (*VERIFIED_STATUSES, "UNVERIFIED"), f"{path.name} {article}"
        if entry.get("verified_elsewhere"):
            continue  # verified outside shared/reference; the entry says where
        for segment in re.split(r"[\n…]+", entry["text"]):
            if segment.strip() and normalize_wording(segment) not in corpus:
                missing.append(f"{article}: {segment[:40]}")
    assert not missing, f"{path.name}: wording not found in the reference:\n" + "\n".join(missing)
