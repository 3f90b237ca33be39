#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write a "newc" cpio archive (the format the kernel unpacks as an
initramfs) from a small text spec, without needing root for device nodes.

Spec lines (fields separated by blanks; lines starting with '#' are
comments; SOURCE and TARGET are the rest of the line and may hold blanks):

    dir   PATH MODE
    file  PATH MODE SOURCE      (SOURCE: a file on the host)
    nod   PATH MODE c|b MAJOR MINOR
    slink PATH MODE TARGET

MODE is octal. Every entry is owned by root and has mtime 0, so the same
spec and inputs always give byte-identical output (scripts/vm caches on it).

Usage: mkcpio.py SPEC OUTPUT    (SPEC may be '-' for stdin)
"""

import stat
import sys

TYPE_BITS = {"dir": stat.S_IFDIR, "file": stat.S_IFREG,
             "slink": stat.S_IFLNK, "c": stat.S_IFCHR, "b": stat.S_IFBLK}


class Writer:
    def __init__(self, out):
        self.out = out
        self.ino = 1
        self.pos = 0

    def _put(self, data):
        self.out.write(data)
        self.pos += len(data)

    def _pad(self):
        self._put(b"\0" * (-self.pos % 4))

    def entry(self, name, mode, data=b"", nlink=1, rdev=(0, 0)):
        name = name.lstrip("/").encode() + b"\0"
        fields = [self.ino, mode, 0, 0, nlink, 0, len(data),
                  0, 0, rdev[0], rdev[1], len(name), 0]
        self.ino += 1
        self._put(b"070701" + b"".join(b"%08X" % f for f in fields))
        self._put(name)
        self._pad()
        self._put(data)
        self._pad()

    def trailer(self):
        self.entry("TRAILER!!!", 0)
        self._put(b"\0" * (-self.pos % 512))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    spec = sys.stdin if sys.argv[1] == "-" else open(sys.argv[1])
    with spec, open(sys.argv[2], "wb") as out:
        w = Writer(out)
        for lineno, line in enumerate(spec, 1):
            if line.lstrip().startswith("#"):
                continue
            words = line.split(None, 3)
            if not words:
                continue
            if len(words) == 4 and words[0] in ("file", "slink"):
                words[3] = words[3].rstrip("\n")
            else:
                words = line.split()
            kind, path, mode = words[0], words[1], int(words[2], 8)
            if kind == "dir" and len(words) == 3:
                w.entry(path, TYPE_BITS["dir"] | mode, nlink=2)
            elif kind == "file" and len(words) == 4:
                with open(words[3], "rb") as f:
                    w.entry(path, TYPE_BITS["file"] | mode, f.read())
            elif kind == "nod" and len(words) == 6 and words[3] in ("c", "b"):
                w.entry(path, TYPE_BITS[words[3]] | mode,
                        rdev=(int(words[4]), int(words[5])))
            elif kind == "slink" and len(words) == 4:
                w.entry(path, TYPE_BITS["slink"] | mode, words[3].encode())
            else:
                sys.exit(f"{sys.argv[1]}:{lineno}: bad spec line: {line.strip()}")
        w.trailer()


if __name__ == "__main__":
    main()
