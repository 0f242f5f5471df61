"""A minimal terminal screen: enough of xterm to read what Textual draws.

It keeps the characters of a fixed-size grid and each cell's background colour (from SGR;
enough to see a highlighted cursor row), moving the cursor for CSI H/f, A-D, G, d, erasing
for J/K, and skipping every other escape (modes, OSC, DCS). That is all Textual's compositor
emits for a frame, so the grid shows the screen as a user sees it, which is what "the key
press reached the terminal" is judged by.
"""

from __future__ import annotations

import codecs
import re

from rich.cells import get_character_cell_size

_TOKEN = re.compile(
    r"\x1b\[([0-?]*)[ -/]*([@-~])"  # CSI params final
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    r"|\x1b[P^_X][^\x1b]*\x1b\\"  # DCS, PM, APC, SOS
    r"|\x1b(?![\[\]P^_X])[ -/]*[0-~]"  # other ESC sequences (ESC 7, ESC =, ESC ( B ...)
    r"|([\x00-\x1a\x1c-\x1f\x7f])"  # a C0 control (ESC starts the sequences above)
    r"|([^\x00-\x1f\x7f\x1b]+)"  # text
)
SYNC_END = b"\x1b[?2026l"


class Screen:
    """Feed it the bytes an app writes; read `row(y)` / `text()`."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self.grid = [[" "] * cols for _ in range(rows)]
        self.bg: list[list[str]] = [[""] * cols for _ in range(rows)]
        self._bg = ""  # the current background, as its SGR parameters ("" = default)
        self.y = self.x = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""
        self.frames = 0  # synchronized updates ended (ESC [ ? 2026 l) so far

    def row(self, y: int) -> str:
        return "".join(self.grid[y])

    def text(self) -> str:
        return "\n".join(self.row(y) for y in range(self.rows))

    def feed(self, data: bytes) -> None:
        s = self._pending + self._decoder.decode(data)
        self._pending = ""
        pos, n = 0, len(s)
        while pos < n:
            m = _TOKEN.match(s, pos)
            if m is None:  # an escape sequence cut by the end of this chunk
                if s[pos] == "\x1b" and n - pos < 4096:
                    self._pending = s[pos:]
                    return
                pos += 1  # a stray ESC: skip it
                continue
            pos = m.end()
            if m.group(4) is not None:
                self._text(m.group(4))
            elif m.group(3) is not None:
                self._control(m.group(3))
            elif m.group(2) is not None:
                self._csi(m.group(1), m.group(2))

    def _text(self, t: str) -> None:
        grid, cols, bg = self.grid, self.cols, self._bg
        for ch in t:
            w = get_character_cell_size(ch) if ch > "~" else 1
            if w == 0:
                continue
            if self.x + w > cols:
                self.x = 0
                self.y = min(self.rows - 1, self.y + 1)
            row = grid[self.y]
            row[self.x] = ch
            self.bg[self.y][self.x] = bg
            if w == 2 and self.x + 1 < cols:
                row[self.x + 1] = ""
                self.bg[self.y][self.x + 1] = bg
            self.x += w

    def _control(self, c: str) -> None:
        if c == "\r":
            self.x = 0
        elif c == "\n":
            self.y = min(self.rows - 1, self.y + 1)
        elif c == "\b":
            self.x = max(0, self.x - 1)

    def _csi(self, params: str, final: str) -> None:
        if params.startswith(("?", ">", "<", "=")):
            if params == "?2026" and final == "l":
                self.frames += 1
            return  # private modes and queries
        if final == "m":
            self._sgr(params)
            return
        nums = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []

        def arg(i: int, default: int = 1) -> int:
            return nums[i] if len(nums) > i and nums[i] else default

        if final in "Hf":
            self.y = min(self.rows - 1, arg(0) - 1)
            self.x = min(self.cols - 1, arg(1) - 1)
        elif final == "A":
            self.y = max(0, self.y - arg(0))
        elif final == "B":
            self.y = min(self.rows - 1, self.y + arg(0))
        elif final == "C":
            self.x = min(self.cols - 1, self.x + arg(0))
        elif final == "D":
            self.x = max(0, self.x - arg(0))
        elif final == "G":
            self.x = min(self.cols - 1, arg(0) - 1)
        elif final == "d":
            self.y = min(self.rows - 1, arg(0) - 1)
        elif final == "J":
            mode = nums[0] if nums else 0
            if mode in (2, 3):
                self.grid = [[" "] * self.cols for _ in range(self.rows)]
            elif mode == 0:
                self.grid[self.y][self.x:] = [" "] * (self.cols - self.x)
                for y in range(self.y + 1, self.rows):
                    self.grid[y] = [" "] * self.cols
        elif final == "K":
            mode = nums[0] if nums else 0
            row = self.grid[self.y]
            if mode == 0:
                row[self.x:] = [" "] * (self.cols - self.x)
            elif mode == 1:
                row[: self.x + 1] = [" "] * (self.x + 1)
            else:
                self.grid[self.y] = [" "] * self.cols

    def _sgr(self, params: str) -> None:
        parts = params.split(";") if params else ["0"]
        i = 0
        while i < len(parts):
            p = parts[i]
            if p in ("", "0", "49"):
                self._bg = ""
            elif p == "48" and i + 1 < len(parts):
                n = 5 if parts[i + 1] == "2" else 3  # 48;2;r;g;b or 48;5;n
                self._bg = ";".join(parts[i + 1 : i + n])
                i += n - 1
            elif p == "38" and i + 1 < len(parts):  # skip a foreground colour's arguments
                i += 4 if parts[i + 1] == "2" else 2
            i += 1
