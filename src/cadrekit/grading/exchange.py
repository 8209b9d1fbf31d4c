"""nbgrader's submit and feedback release kept private on a shared exchange (multi-user hub).

Plain nbgrader leaves a submission in ``inbound/`` open to everyone (folder 0777, files 0644)
and relies on the folder name being hard to guess. The instructor creates ``inbound/`` with the
set-group-ID bit, so each submission folder is created in the instructor's group; right after
nbgrader wrote the submission, its folders are narrowed to owner and that group (0770). Other
trainees can no longer enter it even when they know its name; the instructor still collects and
removes it. (Files keep nbgrader's modes: some of them are written after the folder lost its
set-group-ID bit and belong to the trainee's group, so the folders are what keeps them private.)

Released feedback has the same weakness: ``feedback/<hash>.html`` is a copy of the instructor's
file (0644) and only its name is secret. ``PrivateExchangeReleaseFeedback`` writes each file
readable by the instructor who releases it and, through a POSIX ACL, by its trainee's Unix user
alone (the trainee's id is the hub user name, which is the Unix user name), already before it
gets its public name. A trainee without a Unix account, or an exchange on a file system without
POSIX ACLs, stops the release with an error instead of publishing readable feedback.
Enable both in the system-wide nbgrader config::

    c.ExchangeFactory.submit = "cadrekit.grading.exchange.PrivateExchangeSubmit"
    c.ExchangeFactory.release_feedback = "cadrekit.grading.exchange.PrivateExchangeReleaseFeedback"
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import struct

from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import notebook_hash

FOLDER_MODE = 0o770


def restrict_folders(folder: str) -> None:
    """Owner and group only for ``folder`` and every folder below it."""
    for dirpath, _dirnames, _filenames in os.walk(folder):
        os.chmod(dirpath, FOLDER_MODE)


class PrivateExchangeSubmit(ExchangeSubmit):
    def copy_files(self) -> None:
        super().copy_files()
        restrict_folders(os.path.join(self.inbound_path, self.assignment_filename))


# Linux POSIX ACL in its extended-attribute form (<linux/posix_acl_xattr.h>): version, then
# (tag, permissions, id) entries in tag order.
_ACL_XATTR = "system.posix_acl_access"
_ACL_VERSION = 2
_USER_OBJ, _USER, _GROUP_OBJ, _MASK, _OTHER = 0x01, 0x02, 0x04, 0x10, 0x20
_READ, _WRITE = 4, 2
_NO_ID = 0xFFFFFFFF


def owner_and_reader_acl(reader_uid: int) -> bytes:
    """Owner reads and writes, ``reader_uid`` reads, nobody else anything (mode shown as 0640)."""
    entries = [(_USER_OBJ, _READ | _WRITE, _NO_ID), (_USER, _READ, reader_uid), (_GROUP_OBJ, 0, _NO_ID),
               (_MASK, _READ, _NO_ID), (_OTHER, 0, _NO_ID)]
    return struct.pack("<I", _ACL_VERSION) + b"".join(struct.pack("<HHI", *entry) for entry in entries)


class PrivateExchangeReleaseFeedback(ExchangeReleaseFeedback):
    """nbgrader's release_feedback (same names, same atomic replace), each file for its trainee only."""

    def copy_files(self) -> None:
        exclude = set(filter(None, self.coursedir.student_id_exclude.split(",")))
        pattern = re.escape(os.path.sep).join([
            self.coursedir.format_path(self.coursedir.feedback_directory, "(?P<student_id>.*)",
                                       self.coursedir.assignment_id, escape=True),
            "(?P<notebook_id>.*).html"])
        for html_file in sorted(glob.glob(os.path.join(self.src_path, "*.html"))):
            match = re.match(pattern, html_file)
            if match is None:
                self.log.error("Could not match '%s' with regexp '%s'", html_file, pattern)
                continue
            student_id, notebook_id = match["student_id"], match["notebook_id"]
            if student_id in exclude:
                self.log.debug("Skipping student '%s'", student_id)
                continue
            folder = os.path.dirname(html_file)
            with open(os.path.join(folder, "submission_secret.txt")) as fh:
                secret = fh.read()
            checksum = notebook_hash(secret=secret, notebook_id=notebook_id)
            self.log.info("Releasing feedback for student '%s' on assignment '%s/%s/%s'",
                          student_id, self.coursedir.course_id, self.coursedir.assignment_id, notebook_id)
            self.release_for(student_id, html_file, os.path.join(self.dest_path, f"{checksum}.html"))

    def release_for(self, student_id: str, html_file: str, dest: str) -> None:
        try:
            reader = pwd.getpwnam(student_id).pw_uid
        except KeyError:
            self.fail(f"学员 {student_id} 没有同名的系统用户，无法把反馈只发给本人；未发布此学员及之后的反馈。")
        temporary = dest[:-len(".html")] + "-tmp.html"
        with open(html_file, "rb") as source:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)  # left behind by an interrupted release
            out = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(out, "wb") as target:
                    shutil.copyfileobj(source, target)
                os.setxattr(temporary, _ACL_XATTR, owner_and_reader_acl(reader))
                os.replace(temporary, dest)  # readable by the trainee alone before it has its name
            except OSError as exc:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
                self.fail(f"无法把反馈只发给学员 {student_id}（交换目录所在的文件系统需要支持 POSIX ACL）：{exc}")
        self.log.info("Feedback released to: %s", dest)

