"""nbgrader's submit with private submissions on a shared exchange (multi-user hub).

Plain nbgrader leaves a submission in ``inbound/`` open to everyone (folder 0777, files 0644)
and relies on the folder name being hard to guess. The instructor creates ``inbound/`` with the
set-group-ID bit, so each submission folder is created in the instructor's group; right after
nbgrader wrote the submission, its folders are narrowed to owner and that group (0770). Other
trainees can no longer enter it even when they know its name; the instructor still collects and
removes it. (Files keep nbgrader's modes: some of them are written after the folder lost its
set-group-ID bit and belong to the trainee's group, so the folders are what keeps them private.)
Enable it in the system-wide nbgrader config::

    c.ExchangeFactory.submit = "cadrekit.grading.exchange.PrivateExchangeSubmit"
"""

from __future__ import annotations

import os

from nbgrader.exchange.default.submit import ExchangeSubmit

FOLDER_MODE = 0o770


def restrict_folders(folder: str) -> None:
    """Owner and group only for ``folder`` and every folder below it."""
    for dirpath, _dirnames, _filenames in os.walk(folder):
        os.chmod(dirpath, FOLDER_MODE)


class PrivateExchangeSubmit(ExchangeSubmit):
    def copy_files(self) -> None:
        super().copy_files()
        restrict_folders(os.path.join(self.inbound_path, self.assignment_filename))
