"""Checks that need the network: every demand row has a flow that can serve it, every minimum a
flow that can count toward it, every leg whose CO2e is priced or capped a distance."""

from __future__ import annotations

from model.errors import ERROR, WARNING, Problem, number_text, short_list
from model.input.data import ROW, CorridorData, present, records
from model.input.schema import PolicyKind, Scope, leg_id, path_nodes
from model.network import Network, supply_origins


def check_commitments(data: CorridorData, net: Network) -> list[Problem]:
    """Every demand row has a flow that can serve it; every minimum (supply min_t,
    policy min_t) has a flow that can count toward it."""
    problems = _unservable_demand(data, net)
    for srow in net.supply_rows:
        if srow.min_t > 0 and not len(net.supply_index(srow)):
            problems.append(Problem(
                f"min_t {srow.min_t:,.0f} t cannot be shipped: no demand row takes {srow.commodity} from "
                f"{srow.origin} over an enabled route",
                "Lower min_t to 0, or add demand and a route for this commodity from this origin.",
                sheet="Supply", row=srow.row, key=f"{srow.commodity}, {srow.origin}", column="min_t"))
    reported = set()
    for p in net.policy_limits:
        if p.kind == PolicyKind.MIN_T and p.value > 0 and not len(net.policy_index(p)[0]) and p.rule not in reported:
            reported.add(p.rule)
            problems.append(Problem(
                f"requires {p.value:,.0f} t through {p.scope} '{p.target}', but no flow of "
                f"{p.commodity or 'any commodity'} can pass it",
                "Check the target and commodity, or add a route through the target that serves a demand row.",
                sheet="Policies", row=p.row, key=p.rule, column="target"))
    for o in net.observations:
        why, fix = unreachable(data, net, o)
        if why and o.low_t > 0:
            problems.append(Problem(
                f"observes {o.observed_t:,.0f} t through {o.scope} '{o.target}'"
                + (f" ({o.commodity})" if o.commodity else "") + f", but {why}: the model carries nothing there, so "
                "the Fit sheet will miss it and corridor calibrate cannot reproduce it", fix,
                sheet="Observations", row=o.row, key=o.observation, column="target", severity=WARNING))
    return problems + check_distances(data, net)


def unreachable(data: CorridorData, net: Network, o) -> tuple[str | None, str]:
    """(why no flow can count toward an observation (o: model.network.Observation), in words: 'route
    X is disabled (Routes row 12, enabled FALSE)', ...; the fix), or (None, '') when some flow can."""
    if len(net.scope_index(o.scope, o.target, o.commodity)[0]):
        return None, ""
    routes = data.tables["Routes"]
    off = routes[routes["enabled"].map(lambda v: v is False)]
    country = dict(zip(data.tables["Nodes"]["node"], data.tables["Nodes"]["country"], strict=True))
    through = []
    for rec in records(off):
        nodes = path_nodes(rec["path"]) if present(rec["path"]) else ()
        if (o.scope == Scope.ROUTE and rec["route"] == o.target
                or o.scope == Scope.CORRIDOR and rec["corridor"] == o.target
                or o.scope == Scope.NODE and o.target in nodes or o.scope == Scope.COUNTRY
                and o.target in {country.get(n) for n in nodes}
                or o.scope == Scope.LEG and o.target in {leg_id(a, b) for a, b in zip(nodes, nodes[1:], strict=False)}):
            through.append(rec)
    what = "cargo" if not o.commodity else o.commodity
    if o.scope == Scope.ROUTE and through:
        return (f"route {o.target} is disabled (Routes row {through[0][ROW]}, enabled FALSE)",
                "Enable the route (enabled TRUE on the Routes sheet), or remove the observation.")
    if through:
        return (f"no enabled route carries {what} through it: the routes through it are disabled "
                f"({short_list(rec['route'] for rec in through)})",
                "Enable one of those routes, or remove the observation.")
    return (f"no enabled route carries {what} through it to a market that asks for it",
            "Check the target and commodity, or add a route through the target that serves a demand row.")


def check_distances(data: CorridorData, net: Network) -> list[Problem]:
    """The legs of enabled routes need distance_km for their CO2e (model.network.emissions): an error
    at each such leg's row where emissions are asked for (a carbon price, a max_co2_t rule), else one
    warning naming the legs the reported CO2e leaves out."""
    missing = net.legs_without_distance
    if not missing:
        return []
    price = data.settings.carbon_price_usd_per_t_co2 or 0.0
    caps = list(dict.fromkeys(f"{p.rule} (Policies row {p.row})" for p in net.policy_limits if p.is_co2))
    if price <= 0 and not caps:
        return [Problem(f"{len(missing)} leg(s) of enabled routes have no distance_km, so the CO2e reported leaves "
                        f"them out: {short_list(missing)}",
                        "Enter their length in km to count their CO2e (it is required once a carbon price or a "
                        "max_co2_t rule is set).", sheet="Legs", column="distance_km", severity=WARNING)]
    why = " and ".join(w for w in (f"carbon_price_usd_per_t_co2 is {number_text(price)}" if price > 0 else "",
                                   f"max_co2_t rule {short_list(caps)} caps it" if caps else "") if w)
    passes = net.passes_of(missing)
    names = list(net.routes)
    rows = {f"{rec['from']}>{rec['to']}": rec for rec in records(data.tables["Legs"])}
    problems = []
    for leg in missing:
        users = [names[i] for i in passes[leg].nonzero()[0].tolist()]
        rec = rows[leg]
        problems.append(Problem(
            f"is blank; a length in km is needed, since CO2e is priced or capped ({why}) and enabled route(s) "
            f"{short_list(users)} use this leg",
            "Enter the leg's length in km (its CO2e is distance_km x co2_g_per_tkm); or set "
            "carbon_price_usd_per_t_co2 to 0 and remove the max_co2_t rules.",
            sheet="Legs", row=rec[ROW], key=leg, column="distance_km"))
    return problems


def _unservable_demand(data: CorridorData, net: Network) -> list[Problem]:
    hard = data.settings.hard_demand
    origins_of = supply_origins(net.supply_rows)
    problems = []
    for d in net.demand_rows:
        if d.demand_t <= 0 or len(net.demand_index(d.row)):
            continue
        cls = net.commodity_class[d.commodity]
        to_market = [r for r in net.routes.values() if r.market == d.market]
        from_origin = [r for r in to_market if not d.origin or r.origin == d.origin]
        carrying = [r for r in from_origin if r.carries(cls)]
        if not to_market:
            why = f"no enabled route ends at {d.market}"
        elif not from_origin:
            why = f"no enabled route runs from {d.origin} to {d.market}"
        elif not carrying:
            why = (f"the routes from {d.origin or 'any origin'} to {d.market} "
                   f"({short_list(r.route for r in from_origin)}) do not carry cargo class '{cls}'")
        else:
            why = (f"{d.commodity} may ship only from the origins on the Supply sheet "
                   f"({short_list(sorted(origins_of.get(d.commodity, ())))}), and no enabled route carrying "
                   f"'{cls}' runs from them to {d.market}")
        problems.append(Problem(
            f"no route can serve this demand: {why}",
            "Add or enable a route, add the class to a route's cargo_classes, or set unmet_penalty_usd_per_t "
            "in Settings to allow undelivered tonnes." if hard else
            "These tonnes will be reported as unmet; add or enable a route to serve them.",
            sheet="Demand", row=d.row, key=", ".join(x for x in (d.commodity, d.origin, d.market) if x),
            severity=ERROR if hard else WARNING))
    return problems


