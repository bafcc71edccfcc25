"""The tree a series applies to: a directory (--tree DIR) or a commit of a git repository.

Both answer the same three questions: the text of a file, which files under some
directories mention a word (to find definitions), and the kernel release in the Makefile.
A git tree reads blobs through one `git cat-file --batch` process, so a series over a
large repository reads only the files its patches touch.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

from .errors import InputError

GIT_TIMEOUT = 120


def kernel_from_makefile(text: str | None) -> str | None:
    if not text:
        return None
    head = text[:4096]
    version = re.search(r"(?m)^VERSION\s*=\s*(\d+)", head)
    patchlevel = re.search(r"(?m)^PATCHLEVEL\s*=\s*(\d+)", head)
    return f"{version.group(1)}.{patchlevel.group(1)}" if version and patchlevel else None


def leaves_tree(path: str) -> bool:
    """Whether a path from a diff header is absolute or climbs out with `..`: such a path
    is only a label, and no base tree is asked for it."""
    return path.startswith("/") or ".." in path.split("/")



LONE_CR = re.compile(r"\r(?!\n)")


def _regular_file(path: str) -> bool:
    """A file itself, not a symlink (it may point out of the tree) nor a FIFO or device
    (reading one would stall the run or never end)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def decode_source(data: bytes) -> str:
    """A C file's text; a lone CR ends a line, as it does for the compiler (a file with
    CR-only line ends is otherwise one long line, and nothing in it is read)."""
    return LONE_CR.sub("\n", data.decode("utf-8", "replace"))

class BaseTree:
    label = ""

    def read(self, path: str) -> str | None:
        raise NotImplementedError

    def texts_mentioning(self, word: str, dirs: tuple[str, ...]) -> list[bytes]:
        raise NotImplementedError

    def kernel(self) -> str | None:
        return kernel_from_makefile(self.read("Makefile"))


class DirTree(BaseTree):
    def __init__(self, root: Path):
        self.root = root
        self.label = "--tree"
        self._texts: dict[tuple[str, ...], list[bytes]] = {}

    def read(self, path: str) -> str | None:
        candidate = self.root / path
        try:
            # Paths come from diff headers: never follow one out of the tree.
            if not candidate.resolve().is_relative_to(self.root.resolve()) \
                    or not _regular_file(str(candidate.resolve())):
                return None
            return decode_source(candidate.read_bytes())
        except OSError:
            return None

    def texts_mentioning(self, word: str, dirs: tuple[str, ...]) -> list[bytes]:
        if dirs not in self._texts:
            texts = []
            for sub in dirs:
                top = self.root / sub
                if os.path.islink(top) or not top.resolve().is_relative_to(self.root.resolve()):
                    continue        # a symlinked directory may lead out of the tree
                for dirpath, _, names in os.walk(top):
                    for name in names:
                        if name.endswith((".h", ".c")) and _regular_file(os.path.join(dirpath, name)):
                            try:
                                texts.append((Path(dirpath) / name).read_bytes())
                            except OSError:
                                continue
            self._texts[dirs] = texts
        needle = word.encode()
        return [t for t in self._texts[dirs] if needle in t]


class GitError(InputError):
    pass


class GitRepo:
    """One repository, read with plumbing commands; blobs through a persistent cat-file."""

    def __init__(self, path: Path):
        self.path = path
        self._batch: subprocess.Popen | None = None

    def git(self, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
        try:
            done = subprocess.run(["git", "-C", str(self.path), *args], input=input,
                                  capture_output=True, timeout=GIT_TIMEOUT)
        except FileNotFoundError:
            raise GitError("git", "the git executable is not installed") from None
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]}", f"no answer in {GIT_TIMEOUT} s") from None
        if check and done.returncode != 0:
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"git {' '.join(args[:2])}", reason[-1] if reason else f"exit {done.returncode}")
        return done.stdout

    @classmethod
    def find(cls, start: Path) -> "GitRepo":
        repo = cls(start)
        try:
            top = repo.git("rev-parse", "--show-toplevel")
        except GitError:
            raise GitError(str(start), "not inside a git repository") from None
        return cls(Path(top.decode().strip()))

    def resolve(self, rev: str) -> str | None:
        out = self.git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}",
                       check=False)
        return out.decode().strip() or None

    def blob(self, rev: str, path: str) -> bytes | None:
        if "\n" in path:
            return None
        return self.object(f"{rev}:{path}")

    def object(self, name: str) -> bytes | None:
        """A blob by any name cat-file takes (`rev:path`, or an object id, abbreviated)."""
        if self._batch is None:
            self._batch = subprocess.Popen(
                ["git", "-C", str(self.path), "cat-file", "--batch"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert self._batch.stdin and self._batch.stdout
        self._batch.stdin.write(f"{name}\n".encode("utf-8", "surrogateescape"))
        self._batch.stdin.flush()
        header = self._batch.stdout.readline().split()
        if len(header) != 3:
            return None
        size = int(header[2])
        data = self._batch.stdout.read(size)
        self._batch.stdout.read(1)
        return data if header[1] == b"blob" else None

    def close(self) -> None:
        if self._batch is not None:
            self._batch.stdin.close()
            self._batch.stdout.close()
            self._batch.wait()
            self._batch = None

    def __enter__(self) -> "GitRepo":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class GitTree(BaseTree):
    """The tree of one commit (or, with rev None, an empty tree: a root commit's parent)."""

    def __init__(self, repo: GitRepo, rev: str | None):
        self.repo = repo
        self.rev = rev
        self.label = f"commit {rev[:12]}" if rev else "an empty tree"

    def read(self, path: str) -> str | None:
        if self.rev is None:
            return None
        data = self.repo.blob(self.rev, path)
        return None if data is None else decode_source(data)

    def texts_mentioning(self, word: str, dirs: tuple[str, ...]) -> list[bytes]:
        if self.rev is None:
            return []
        out = self.repo.git("grep", "-l", "-z", "-w", "-F", "-e", word, self.rev, "--", *dirs,
                            check=False)
        prefix = f"{self.rev}:"
        texts = []
        for name in out.decode("utf-8", "surrogateescape").split("\0"):
            if name.startswith(prefix):
                data = self.repo.blob(self.rev, name[len(prefix):])
                if data is not None:
                    texts.append(data)
        return texts
