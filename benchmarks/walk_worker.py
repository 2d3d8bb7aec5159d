"""One walk of every patient, in a process of its own: its time and how much memory it took.

``python benchmarks/walk_worker.py '<json>'`` prints one JSON line. It runs under the bench
venv's python, for welkin or the raw httpx loop; old_worker.py's ``walk_memory`` does the same
for the old package. A fresh process per walk makes the memory figures comparable: each starts
from an interpreter that has done nothing but import its client and fetch one page.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any


def _status_mb(field: str) -> float | None:
    """A memory field of /proc/self/status (Linux), in MB; None elsewhere."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return None


def rss_mb() -> float:
    """Resident memory now; and the peak is reset here, so that it counts from now on."""
    try:
        # "5" resets this process's peak RSS (VmHWM), Linux 4.0+.
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass
    now = _status_mb("VmRSS")
    return peak_rss_mb() if now is None else now


def peak_rss_mb() -> float:
    """Peak resident memory. Not ru_maxrss where there is better: on Linux that survives
    exec, so a child process reports the parent's size at fork when it was bigger."""
    peak = _status_mb("VmHWM")
    if peak is not None:
        return peak
    import resource  # Unix only, and only needed off Linux

    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / 2**20 if sys.platform == "darwin" else maxrss / 1024  # bytes, else KiB


def welkin_walk(args: dict[str, Any]) -> Callable[[], int]:
    import welkin

    client = welkin.Client(
        args["tenant"],
        args["instance"],
        args["api_client"],
        args["secret"],
        base_url=args["base_url"],
        token_store=None,
    )
    # Warm-up, before the baseline: the token, first-use imports, the validators.
    next(iter(client.patients.filter({}, size=1)))

    def walk() -> int:
        return sum(1 for _patient in client.patients.filter({}, size=args["size"]))

    return walk


def raw_walk(args: dict[str, Any]) -> Callable[[], int]:
    import httpx

    http = httpx.Client()
    base = f"{args['base_url']}/{args['tenant']}"
    token = http.post(
        f"{base}/admin/api_clients/{args['api_client']}", json={"secret": args["secret"]}
    )
    token.raise_for_status()
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    url = f"{base}/{args['instance']}/by-filter/patients"

    def page(number: int, size: int) -> Any:
        response = http.post(url, params={"page": number, "size": size}, json={}, headers=headers)
        response.raise_for_status()
        return json.loads(response.content)

    page(0, 1)  # warm-up, as for welkin

    def walk() -> int:
        count, number = 0, 0
        while True:
            data = page(number, args["size"])
            for _patient in data["content"]:
                count += 1
            if data["last"]:
                return count
            number += 1

    return walk


def main() -> None:
    args = json.loads(sys.argv[1])
    walk = {"welkin": welkin_walk, "raw": raw_walk}[args["variant"]](args)
    before = rss_mb()
    start = time.perf_counter()
    count = walk()
    seconds = time.perf_counter() - start
    answer = {"seconds": seconds, "count": count, "rss_before": before, "rss_peak": peak_rss_mb()}
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
