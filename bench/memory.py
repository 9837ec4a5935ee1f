"""A worker's memory while it receives photos: the peak must not follow the upload's size.

After a warm-up (both workers serve a few claims), before each scenario, the workers'
peak-RSS counters are reset; the baseline is the largest worker's resident size at that
moment, and the figure is the largest worker's peak (VmHWM) during the scenario.
"""

from dataclasses import dataclass

from bench.load import claim_request, run_round
from bench.samples import Sample
from bench.servers import THREADS, WORKERS, claim_service


@dataclass(frozen=True)
class Scenario:
    name: str
    photos: tuple[Sample, ...]
    clients: int
    seconds: float


@dataclass(frozen=True)
class Peak:
    scenario: Scenario
    idle_mb: float
    peak_mb: float
    requests: int

    @property
    def growth_mb(self) -> float:
        return self.peak_mb - self.idle_mb


def scenarios(small: Sample, large: Sample, heic: Sample) -> list[Scenario]:
    """Small and large photos, one client and 32 at once, a claim near the size limit, and
    HEIC (decoded whole). The 32-client JPEG scenarios are 4th and 5th."""
    mb = f"{small.megabytes:.0f} MB", f"{large.megabytes:.0f} MB"
    busy = WORKERS * THREADS
    return [
        Scenario(f"{mb[0]} JPEG, 1 client", (small,), 1, 1),
        Scenario(f"{mb[1]} JPEG, 1 client", (large,), 1, 1),
        Scenario(f"8 × {mb[1]} JPEG in one claim, 1 client", (large,) * 8, 1, 0.1),
        Scenario(f"{mb[0]} JPEG, 32 clients", (small,), 32, 1),
        Scenario(f"{mb[1]} JPEG, 32 clients", (large,), 32, 1),
        Scenario(
            f"12 MP HEIC ({heic.megabytes:.0f} MB), {busy} clients (every worker thread busy)",
            (heic,),
            busy,
            0.1,
        ),
    ]


def measure(scenarios: list[Scenario], warm_up: Sample) -> list[Peak]:
    """Run the scenarios in turn on one service, resetting the peak before each; returns the
    workers' memory before and at the peak of each."""
    peaks = []
    with claim_service() as server:
        run_round(server.base, lambda n: claim_request([warm_up]), 2, 1)
        for scenario in scenarios:
            server.reset_peak_memory()
            idle = server.peak_memory_mb()
            done = run_round(
                server.base,
                lambda n, photos=list(scenario.photos): claim_request(photos),
                scenario.clients,
                scenario.seconds,
            )
            peaks.append(Peak(scenario, idle, server.peak_memory_mb(), len(done.latencies)))
    return peaks
