"""The simulated web site: which files exist, how popular they are, and who asks for them.

Static tables plus a seeded builder, so one seed fixes the whole world. The probabilities
here are shared by the log generator (which draws from them) and the rate model (which
takes their expectation), which is what keeps the time series consistent with the logs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

P_HEAD = 0.02  # share of HEAD requests (no body bytes)
P_5XX = 0.001  # background origin errors on any path
HIT_404 = 0.5  # negative caching: half of the 404s are answered from the edge cache
SIZE_404 = 548
SIZE_403 = 162
#: (code, probability, body size) of background 5xx answers and of the scheduled burst.
ERR_5XX: tuple[tuple[int, float, int], ...] = ((500, 0.2, 177), (502, 0.5, 166), (504, 0.3, 168))
BURST_5XX: tuple[tuple[int, float, int], ...] = ((502, 0.5, 166), (503, 0.3, 190), (504, 0.2, 168))

#: Status mix (code, probability) per kind of path, before background 5xx.
PROFILES: dict[str, tuple[tuple[int, float], ...]] = {
    "page": ((200, 0.80), (304, 0.20)),
    "asset": ((200, 0.85), (304, 0.15)),
    "video": ((206, 0.75), (200, 0.20), (304, 0.05)),
    "download": ((206, 0.60), (200, 0.40)),
    "missing": ((404, 1.0),),
    "forbidden": ((403, 1.0),),
}

IMG_VARIANTS = ("", "", "?w=320", "?w=640")
BURST_PATH = "/data/catalog.json"  # the path the scheduled 5xx burst hits
PURGE_DIR = "/img/products/"  # the directory the scheduled purge (origin storm) empties

_RANGE_LO = 262_144  # 206 answers are byte ranges between these sizes
_RANGE_HI = 8_388_608


@dataclass(slots=True, frozen=True)
class PathSpec:
    """One file on the site (path already percent-encoded)."""

    path: str
    kind: str  # referer family: html, asset, video, download, none
    size: int
    hit: float  # cache hit ratio of its 2xx/3xx answers
    profile: str
    variants: tuple[str, ...] = ("",)

    @property
    def range_lo(self) -> int:
        return min(self.size, _RANGE_LO)

    @property
    def range_hi(self) -> int:
        return min(self.size, _RANGE_HI)


@dataclass(slots=True, frozen=True)
class Client:
    ip: str
    country: str
    ua: str
    bot: bool  # bots and apps send no referer


def _spec(path: str, kind: str, size: int, hit: float, profile: str) -> PathSpec:
    variants = IMG_VARIANTS if path.startswith("/img/") and profile == "asset" else ("",)
    return PathSpec(path, kind, size, hit, profile, variants)


def build_paths() -> list[tuple[PathSpec, float]]:
    """Every path with its share of requests: families, Zipf-like inside each family."""
    out: list[tuple[PathSpec, float]] = []

    def family(share: float, specs: list[PathSpec], zipf: float = 1.0) -> None:
        ws = [1.0 / (i + 1) ** zipf for i in range(len(specs))]
        total = sum(ws)
        out.extend((s, share * w / total) for s, w in zip(specs, ws, strict=True))

    family(0.06, [
        _spec("/index.html", "html", 18_432, 0.90, "page"),
        _spec("/products.html", "html", 24_310, 0.90, "page"),
        _spec("/about.html", "html", 9_870, 0.95, "page"),
    ])
    family(0.30, [
        _spec("/static/js/app.8f3c2a.js", "asset", 412_880, 0.98, "asset"),
        _spec("/static/css/main.51d0e9.css", "asset", 96_512, 0.98, "asset"),
        _spec("/static/js/vendor.c2e71b.js", "asset", 1_204_334, 0.98, "asset"),
        _spec("/img/logo.svg", "asset", 6_204, 0.99, "asset"),
        _spec("/fonts/inter-var.woff2", "asset", 318_020, 0.99, "asset"),
        _spec("/img/hero.webp", "asset", 284_102, 0.97, "asset"),
        _spec("/favicon.ico", "none", 15_086, 0.99, "asset"),
        _spec("/robots.txt", "none", 68, 0.99, "asset"),
    ])
    family(0.05, [
        _spec(BURST_PATH, "asset", 48_310, 0.85, "page"),
        _spec("/data/prices.json", "asset", 12_774, 0.80, "page"),
    ])
    family(0.28, [
        _spec(f"{PURGE_DIR}{n}.jpg", "asset", 40_000 + (n * 7_919) % 360_000, 0.93, "asset")
        for n in range(1, 61)
    ], zipf=0.9)
    family(0.05, [
        _spec(f"/img/avatars/{n}.png", "asset", 4_000 + (n * 613) % 20_000, 0.90, "asset")
        for n in range(1, 31)
    ])
    family(0.02, [_spec("/video/intro/index.m3u8", "video", 1_842, 0.80, "page")])
    family(0.15, [
        _spec(f"/video/intro/seg-{n:03d}.ts", "video", 1_200_000 + (n * 104_729) % 1_200_000,
              0.90, "video")
        for n in range(60)
    ], zipf=0.6)
    family(0.02, [
        _spec("/downloads/s4app-2.4.1.apk", "download", 48_733_184, 0.95, "download"),
        _spec("/docs/manual.pdf", "download", 3_512_004, 0.90, "download"),
    ])
    family(0.02, [
        _spec("/img/%E6%B4%BB%E5%8A%A8/banner.jpg", "asset", 220_415, 0.95, "asset"),
        _spec("/img/promo%20final.png", "asset", 131_072, 0.95, "asset"),
        _spec("/files/100%25.png", "asset", 9_912, 0.95, "asset"),
    ])
    family(0.015, [
        _spec("/wp-login.php", "none", SIZE_404, 0.0, "missing"),
        _spec("/apple-touch-icon.png", "none", SIZE_404, 0.0, "missing"),
        _spec(f"{PURGE_DIR}0.jpg", "asset", SIZE_404, 0.0, "missing"),
        _spec("/.env", "none", SIZE_404, 0.0, "missing"),
        _spec("/old/banner.gif", "asset", SIZE_404, 0.0, "missing"),
    ])
    family(0.005, [
        _spec("/private/report-2024.pdf", "none", SIZE_403, 0.0, "forbidden"),
        _spec("/downloads/internal.zip", "download", SIZE_403, 0.0, "forbidden"),
    ])
    return out


# (country, share, IPv4 first octets); CN clients are also sometimes on IPv6.
_COUNTRIES: tuple[tuple[str, float, tuple[int, ...]], ...] = (
    ("CN", 0.68, (36, 58, 113, 120, 183, 223)),
    ("US", 0.08, (34, 52, 104)),
    ("HK", 0.05, (203, 119)),
    ("JP", 0.04, (126, 153)),
    ("SG", 0.03, (103, 175)),
    ("DE", 0.03, (91, 85)),
    ("TW", 0.03, (114, 61)),
    ("KR", 0.02, (211, 121)),
    ("GB", 0.02, (81, 86)),
    ("AU", 0.02, (101, 1)),
)

# (user agent, share, sends no referer)
_AGENTS: tuple[tuple[str, float, bool], ...] = (
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Safari/537.36", 0.30, False),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", 0.22, False),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Mobile Safari/537.36", 0.15, False),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI "
     "Language/zh_CN", 0.12, False),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.4 Safari/605.1.15", 0.07, False),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", 0.02, False),
    ("okhttp/4.12.0", 0.05, True),
    ("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
     0.03, True),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 0.02, True),
    ("curl/8.5.0", 0.02, True),
)


def _ip(rng: random.Random, country: str, octets: tuple[int, ...]) -> str:
    if country == "CN" and rng.random() < 0.12:
        return (f"240e:{rng.randrange(0x300, 0x3ff):x}:{rng.randrange(1 << 16):x}"
                f"::{rng.randrange(1, 1 << 16):x}")
    return f"{rng.choice(octets)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def build_clients(seed: int | str, n: int = 500) -> list[tuple[Client, float]]:
    """A pool of clients with Zipf-like activity (a few heavy ones, a long tail)."""
    rng = random.Random(f"{seed}:clients")
    cw = [c[1] for c in _COUNTRIES]
    aw = [a[1] for a in _AGENTS]
    clients: list[tuple[Client, float]] = []
    for i in range(n):
        country, _, octets = rng.choices(_COUNTRIES, weights=cw)[0]
        ua, _, bot = rng.choices(_AGENTS, weights=aw)[0]
        clients.append((Client(_ip(rng, country, octets), country, ua, bot), 1.0 / (i + 1) ** 0.8))
    return clients


def site_of(domain: str) -> str:
    """The web site whose pages refer to this CDN domain (cdn.x.com -> https://www.x.com)."""
    return "https://www." + domain[4:] if domain.startswith("cdn.") else "https://" + domain


def referer_pools(domain: str) -> dict[str, tuple[tuple[str, ...], tuple[float, ...]]]:
    """Referer choices per path kind: (values, cumulative weights)."""
    site = site_of(domain)
    raw: dict[str, list[tuple[str, float]]] = {
        "html": [("", 0.40), ("https://www.baidu.com/", 0.30), ("https://www.google.com/", 0.15),
                 (site + "/", 0.15)],
        "asset": [(site + "/", 0.40), (site + "/products", 0.25), (site + "/products/42", 0.10),
                  (site + "/blog/spring-launch", 0.10), ("", 0.15)],
        "video": [(site + "/watch/intro", 0.90), ("", 0.10)],
        "download": [(site + "/download", 0.70), ("", 0.30)],
        "none": [("", 1.0)],
    }
    pools = {}
    for kind, items in raw.items():
        acc, cum = 0.0, []
        for _, w in items:
            acc += w
            cum.append(acc)
        pools[kind] = (tuple(v for v, _ in items), tuple(c / acc for c in cum))
    return pools
