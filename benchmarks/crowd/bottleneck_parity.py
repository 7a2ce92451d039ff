#!/usr/bin/env python3
"""JuPedSim 1.4.2 on the exact start positions of Agora's V9 bottleneck draws.

crowd.md §3.4's JuPedSim figures are one draw of 150 start positions chosen with numpy's
generator (seed 7), which Agora cannot reproduce; single draws near clogging vary by ±10 %.
This script runs JuPedSim on the *same* positions as `crowd_sim::validation::bottleneck(width,
150, seed)` (the same lattice and the same LCG shuffle), so that each draw compares like with
like. Geometry and model as `shared/research/jupedsim_refcases.py::bottleneck`: 8 m x 8 m room,
door of width b in a 0.4 m wall at x 8-8.4, a 4 m x 6 m space behind it, exit polygon
x 11.9-12.3, CFSM defaults, v0 1.34 m/s, r 0.2 m, dt 0.01 s, at most 300 s.

Reported per draw: agents out, and the steady flow over passages 20..130 measured at the exit
polygon (the time each agent is removed), as Agora's `steady_flow` does.

    VENV=~/.cache/agora/jupedsim-venv    # made by compare.sh
    $VENV/bin/python benchmarks/crowd/bottleneck_parity.py [--widths 1.0 1.2] [--seeds 7 8 9]
"""
import argparse
import json

import jupedsim as jps
import shapely

MASK = (1 << 64) - 1


def choose(points, count, seed):
    """crowd_sim::validation::choose: partial Fisher-Yates with Knuth's MMIX LCG."""
    pts = list(points)
    state = seed
    for k in range(count):
        state = (state * 6364136223846793005 + 1442695040888963407) & MASK
        r = k + (state >> 33) % (len(pts) - k)
        pts[k], pts[r] = pts[r], pts[k]
    return pts[:count]


def run(width, seed, agents=150, max_s=300.0):
    h, cy = width / 2.0, 4.0
    room = shapely.Polygon([(0, 0), (8, 0), (8, 8), (0, 8)])
    door = shapely.Polygon([(8, cy - h), (8.4, cy - h), (8.4, cy + h), (8, cy + h)])
    out = shapely.Polygon([(8.4, cy - 3), (12.4, cy - 3), (12.4, cy + 3), (8.4, cy + 3)])
    sim = jps.Simulation(model=jps.CollisionFreeSpeedModel(),
                         geometry=shapely.union_all([room, door, out]), dt=0.01)
    ex = sim.add_exit_stage([(11.9, cy - 2.5), (12.3, cy - 2.5), (12.3, cy + 2.5), (11.9, cy + 2.5)])
    journey = sim.add_journey(jps.JourneyDescription([ex]))
    lattice = [(0.5 + 0.5 * i, 0.5 + 0.5 * j) for i in range(14) for j in range(15)]
    for p in choose(lattice, agents, seed):
        sim.add_agent(jps.CollisionFreeSpeedModelAgentParameters(
            position=p, journey_id=journey, stage_id=ex, desired_speed=1.34, radius=0.2))
    present = {a.id for a in sim.agents()}
    removed = []
    while sim.agent_count() > 0 and sim.elapsed_time() < max_s:
        sim.iterate()
        now = {a.id for a in sim.agents()}
        removed += [sim.elapsed_time()] * len(present - now)
        present = now
    res = {"width_m": width, "seed": seed, "out": len(removed)}
    if len(removed) > 130:
        lo, hi = 20, min(130, len(removed) - 1)
        res["flow_p_per_s"] = round((hi - lo) / (removed[hi] - removed[lo]), 4)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--widths", type=float, nargs="+", default=[0.8, 1.0, 1.2, 1.6, 2.0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9])
    a = ap.parse_args()
    print(json.dumps({"jupedsim": jps.__version__}))
    for w in a.widths:
        for s in a.seeds:
            print(json.dumps(run(w, s)), flush=True)


if __name__ == "__main__":
    main()
