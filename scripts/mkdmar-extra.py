#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# Write a second ACPI DMAR table for the vtd* profiles of scripts/vm
# (QEMU: -acpitable file=OUT). QEMU's own DMAR table has one DRHD with
# INCLUDE_PCI_ALL and nothing else; this one adds what QEMU cannot
# describe, so xiommu_vtd's parser and the RMRR rule get tested:
#   - an RMRR [0xf0000, 0xfffff] for the edu at 0000:00:07.0
#   - an ATSR (not ALL_PORTS) naming the root port 0000:00:05.0
# Layout: VT-d spec chapter 8 (8.1 DMAR header, 8.3.1 device scope,
# 8.4 RMRR, 8.5 ATSR) and the ACPI table header.
#
# usage: scripts/mkdmar-extra.py OUT

import struct
import sys


def scope(stype, bus, path):
    """Device scope: type, length, reserved, enumeration id, bus, path."""
    body = b"".join(struct.pack("<BB", d, f) for d, f in path)
    return struct.pack("<BBHBB", stype, 6 + len(body), 0, 0, bus) + body


SCOPE_ENDPOINT = 1
SCOPE_BRIDGE = 2

rmrr_scopes = scope(SCOPE_ENDPOINT, 0, [(7, 0)])
rmrr = struct.pack("<HHHHQQ", 1, 24 + len(rmrr_scopes), 0, 0,
                   0xf0000, 0xfffff) + rmrr_scopes

atsr_scopes = scope(SCOPE_BRIDGE, 0, [(5, 0)])
atsr = struct.pack("<HHBBH", 2, 8 + len(atsr_scopes), 0, 0, 0) + atsr_scopes

# Host address width - 1 (39-bit guest), flags 0, 10 reserved bytes.
body = struct.pack("<BB10x", 38, 0) + rmrr + atsr
length = 36 + len(body)
header = struct.pack("<4sIBB6s8sI4sI", b"DMAR", length, 1, 0, b"XIOMMU",
                     b"XIOMMUX1", 1, b"XIOM", 1)
table = bytearray(header + body)
table[9] = (-sum(table)) & 0xff
with open(sys.argv[1], "wb") as out:
    out.write(table)
