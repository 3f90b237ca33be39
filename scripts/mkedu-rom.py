#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write a 4 KiB PCI option ROM image for the edu 00:04.0 of the vtd and
virtio profiles (QEMU -device edu,romfile=...), so that the vfio ROM
region has something to read (selftests/dma_vfio_device.c checks it).

Layout (PCI Firmware Specification 3.0, 5.1): 0x55 0xAA, size in 512-byte
units at 2, the PCI data structure's offset at 0x18; the data structure
"PCIR" at 0x1c with vendor/device 1234:11e8 (so QEMU does not patch the
IDs), length 0x18, revision 3, class code ff0000, image length 8 x 512
bytes, code type 0x03 (EFI, nothing runs it), last-image bit. Every byte
from 0x40 on is (7 * offset + 3) & 0xff.
"""
import struct
import sys

SIZE = 4096
rom = bytearray(SIZE)
rom[0:3] = bytes([0x55, 0xAA, SIZE // 512])
struct.pack_into("<H", rom, 0x18, 0x1C)
struct.pack_into("<4sHHHHB3sHHBBH", rom, 0x1C, b"PCIR", 0x1234, 0x11E8,
                 0, 0x18, 3, bytes([0, 0, 0xFF]), SIZE // 512, 0, 0x03,
                 0x80, 0)
for i in range(0x40, SIZE):
    rom[i] = (7 * i + 3) & 0xFF
with open(sys.argv[1], "wb") as f:
    f.write(rom)
