"""python -m scripts.cluster start|stop|status (make cluster / cluster-down)."""

from __future__ import annotations

import sys
import time

from scripts.cluster import control


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "start"
    try:
        if command == "start":
            started = time.monotonic()
            kubeconfig = control.start()
            print(f"cluster: ready in {time.monotonic() - started:.1f} s; kubeconfig {kubeconfig}")
        elif command == "stop":
            stopped = control.stop()
            print(
                "cluster: stopped " + (", ".join(stopped) if stopped else "nothing (not running)")
            )
        elif command == "status":
            for name, state in control.status().items():
                print(f"{name:<24} {state}")
        else:
            print(f"usage: python -m scripts.cluster start|stop|status (not {command!r})",
                  file=sys.stderr)  # fmt: skip
            return 2
    except (control.ClusterError, TimeoutError, FileNotFoundError) as error:
        print(f"cluster: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
