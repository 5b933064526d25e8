#!/usr/bin/env python3
"""Writes Godwit's PNG icon set (no dependencies, no network): a teal rounded square with a
white long-billed bird's head and beak, drawn with signed-distance shapes and 4x4 supersampling.

Run from anywhere: `python3 icons/generate.py`."""
import math
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
TEAL = (15, 118, 110)
WHITE = (255, 255, 255)
AMBER = (245, 158, 11)


def coverage(x, y):
    """Returns (alpha, rgb) of the design at unit coordinates x, y in [0, 1]."""
    # Rounded square background.
    r = 0.2
    dx = max(abs(x - 0.5) - (0.5 - r - 0.02), 0.0)
    dy = max(abs(y - 0.5) - (0.5 - r - 0.02), 0.0)
    if math.hypot(dx, dy) > r:
        return 0.0, (0, 0, 0)
    # Head: a circle.
    if math.hypot(x - 0.38, y - 0.42) < 0.17:
        if math.hypot(x - 0.42, y - 0.38) < 0.035:
            return 1.0, TEAL  # eye
        return 1.0, WHITE
    # Beak: a long thin wedge pointing down-right.
    ax, ay, bx, by = 0.50, 0.45, 0.86, 0.78
    t = ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)
    if 0.0 <= t <= 1.0:
        px, py = ax + t * (bx - ax), ay + t * (by - ay)
        if math.hypot(x - px, y - py) < 0.045 * (1.0 - t) + 0.008:
            return 1.0, AMBER
    return 1.0, TEAL


def render(size):
    rows = []
    n = 4
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sj in range(n):
                for si in range(n):
                    a, c = coverage((i + (si + 0.5) / n) / size, (j + (sj + 0.5) / n) / size)
                    acc[0] += c[0] * a
                    acc[1] += c[1] * a
                    acc[2] += c[2] * a
                    acc[3] += a
            a = acc[3] / (n * n)
            if a > 0:
                row += bytes([round(acc[k] / acc[3]) for k in range(3)]) + bytes([round(a * 255)])
            else:
                row += b"\0\0\0\0"
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(render(size))
    print("wrote", name)
