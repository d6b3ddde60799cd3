"""Read the raw directory order of a FAT16/FAT32 image file, as a timer player's firmware sees it.

Only what the tests need: the boot sector's geometry, the cluster chains of
folders, and each directory's 32-byte entries in their stored order (long
file names assembled, deleted slots and volume labels skipped). No mtools,
no mount: the bytes of the image are the truth.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

DELETED = 0xE5
ATTR_LFN = 0x0F
ATTR_VOLUME = 0x08
ATTR_DIR = 0x10


@dataclass(frozen=True)
class DirEntry:
    name: str
    is_dir: bool
    cluster: int
    size: int
    slot: int        # index of the short entry in its directory: the order a player reads


class FatImage:
    def __init__(self, path: Path):
        self.data = Path(path).read_bytes()
        d = self.data
        self.bytes_per_sector, = struct.unpack_from("<H", d, 11)
        self.sectors_per_cluster = d[13]
        reserved, = struct.unpack_from("<H", d, 14)
        fats = d[16]
        self.root_entries, = struct.unpack_from("<H", d, 17)
        fat16_size, = struct.unpack_from("<H", d, 22)
        fat32_size, = struct.unpack_from("<I", d, 36)
        fat_size = fat16_size or fat32_size
        self.fat32 = fat16_size == 0
        self.fat_offset = reserved * self.bytes_per_sector
        root_dir_sectors = (self.root_entries * 32 + self.bytes_per_sector - 1) // self.bytes_per_sector
        self.root_offset = (reserved + fats * fat_size) * self.bytes_per_sector
        self.data_offset = self.root_offset + root_dir_sectors * self.bytes_per_sector
        self.root_cluster = struct.unpack_from("<I", d, 44)[0] if self.fat32 else 0
        self.cluster_bytes = self.sectors_per_cluster * self.bytes_per_sector

    def _next(self, cluster: int) -> int | None:
        if self.fat32:
            value = struct.unpack_from("<I", self.data, self.fat_offset + cluster * 4)[0] & 0x0FFFFFFF
            return None if value >= 0x0FFFFFF8 else value
        value = struct.unpack_from("<H", self.data, self.fat_offset + cluster * 2)[0]
        return None if value >= 0xFFF8 else value

    def _chain_bytes(self, cluster: int) -> bytes:
        parts = []
        seen = set()
        while cluster is not None and cluster >= 2 and cluster not in seen:
            seen.add(cluster)
            start = self.data_offset + (cluster - 2) * self.cluster_bytes
            parts.append(self.data[start:start + self.cluster_bytes])
            cluster = self._next(cluster)
        return b"".join(parts)

    def _dir_bytes(self, cluster: int) -> bytes:
        if cluster == 0 and not self.fat32:
            return self.data[self.root_offset:self.root_offset + self.root_entries * 32]
        return self._chain_bytes(cluster or self.root_cluster)

    def list_dir(self, cluster: int = 0) -> list[DirEntry]:
        """Entries of the folder starting at ``cluster`` (0: the root), in stored order."""
        raw = self._dir_bytes(cluster)
        entries: list[DirEntry] = []
        lfn: dict[int, str] = {}
        for slot in range(len(raw) // 32):
            e = raw[slot * 32:(slot + 1) * 32]
            if e[0] == 0:
                break
            if e[0] == DELETED:
                lfn = {}
                continue
            attr = e[11]
            if attr == ATTR_LFN:
                seq = e[0] & 0x1F
                chars = e[1:11] + e[14:26] + e[28:32]
                text = chars.decode("utf-16-le", "replace").split("\x00", 1)[0].replace("\uffff", "")
                lfn[seq] = text
                continue
            if attr & ATTR_VOLUME:
                lfn = {}
                continue
            base, ext = e[0:8].decode("ascii", "replace").rstrip(), e[8:11].decode("ascii", "replace").rstrip()
            if e[12] & 0x08:
                base = base.lower()
            if e[12] & 0x10:
                ext = ext.lower()
            short = base + ("." + ext if ext else "")
            name = "".join(lfn[k] for k in sorted(lfn)) if lfn else short
            lfn = {}
            if short in (".", ".."):
                continue
            hi, = struct.unpack_from("<H", e, 20)
            lo, = struct.unpack_from("<H", e, 26)
            size, = struct.unpack_from("<I", e, 28)
            entries.append(DirEntry(name, bool(attr & ATTR_DIR), (hi << 16) | lo, size, slot))
        return entries

    def names(self, path: str = "") -> list[str]:
        """Names in the folder ``a/b`` (``""``: the root), in stored order."""
        cluster = 0
        for part in [p for p in path.split("/") if p]:
            (found,) = [e for e in self.list_dir(cluster) if e.name == part and e.is_dir]
            cluster = found.cluster
        return [e.name for e in self.list_dir(cluster)]

    def read(self, path: str) -> bytes:
        """The content of the file ``a/b.mp3``."""
        *folders, name = path.split("/")
        cluster = 0
        for part in folders:
            (found,) = [e for e in self.list_dir(cluster) if e.name == part and e.is_dir]
            cluster = found.cluster
        (entry,) = [e for e in self.list_dir(cluster) if e.name == name and not e.is_dir]
        return self._chain_bytes(entry.cluster)[:entry.size]
