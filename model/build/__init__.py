"""build_model(data) -> a Pyomo model of the corridor allocation LP.

Each module adds its own components and owns its terms:
flows.py (Flow, Unmet, demand and supply), investments.py (Build), capacity.py,
policies.py, costs.py (the objective). The Network (model.network) is attached as ``m.net`` so every
rule reads the same derived facts.
"""

from __future__ import annotations

import pyomo.environ as pyo

from model.build.capacity import add_capacity
from model.build.costs import add_costs
from model.build.flows import add_flows
from model.build.investments import add_investments
from model.build.policies import add_policies
from model.inputs import CorridorData
from model.network import Network


def build_model(data: CorridorData, net: Network) -> pyo.ConcreteModel:
    """The single-period corridor allocation LP for validated data."""
    m = pyo.ConcreteModel(name=data.scenario_name)
    m.net = net
    add_flows(m, data)
    add_investments(m, data)
    add_capacity(m)
    add_policies(m)
    add_costs(m, data)
    return m
