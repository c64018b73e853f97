"""Optuna side of radarwatch's tuning shim: answers JSON-line requests from src/tune/shim.ts over stdin/stdout.

Protocol: one request per line, {"id": int, "op": str, "args": {...}}; one response per line,
{"id": int, "ok": true, "result": ...} or {"id": int, "ok": false, "error": {"type": str, "message": str}}.
The first line written (id 0) is a hello: the Optuna version, or why Optuna cannot be imported.
stdout carries only the protocol; everything else (Optuna's warnings, stray prints) goes to stderr.
"""
import json
import math
import sys
import traceback
import warnings

PROTOCOL_OUT = sys.stdout
# Anything that prints (libraries, debugging) must not corrupt the protocol stream.
sys.stdout = sys.stderr


def emit(obj):
    PROTOCOL_OUT.write(json.dumps(obj, allow_nan=False) + "\n")
    PROTOCOL_OUT.flush()


try:
    import optuna
    from optuna.trial import TrialState
except Exception as exc:  # noqa: BLE001 - any import failure means "this interpreter cannot tune"
    emit({"id": 0, "ok": False, "error": {"type": type(exc).__name__, "message": str(exc)}})
    sys.exit(3)

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

# Pruners the TypeScript registry may ask for; nothing else is instantiated by name.
PRUNER_CLASSES = {
    "HyperbandPruner": optuna.pruners.HyperbandPruner,
    "MedianPruner": optuna.pruners.MedianPruner,
    "SuccessiveHalvingPruner": optuna.pruners.SuccessiveHalvingPruner,
    "NopPruner": optuna.pruners.NopPruner,
}
SAMPLER_CLASSES = {
    "tpe": optuna.samplers.TPESampler,
    "random": optuna.samplers.RandomSampler,
}
STATE_NAMES = {
    TrialState.RUNNING: "running",
    TrialState.COMPLETE: "complete",
    TrialState.PRUNED: "pruned",
    TrialState.FAIL: "fail",
    TrialState.WAITING: "waiting",
}


class UserError(Exception):
    """A request the TypeScript side got wrong (unknown handle, trial already told)."""


def finite(v):
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def plain(v):
    """JSON-safe copy of a parameter or user-attribute value."""
    if isinstance(v, float):
        return finite(v)
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    return v


def trial_record(t):
    duration = None
    if t.datetime_start is not None and t.datetime_complete is not None:
        duration = (t.datetime_complete - t.datetime_start).total_seconds()
    return {
        "number": t.number,
        "state": STATE_NAMES.get(t.state, str(t.state)),
        "value": finite(t.value) if t.value is not None else None,
        "params": plain(t.params),
        "intermediate": [[int(s), finite(v)] for s, v in sorted(t.intermediate_values.items())],
        "userAttrs": plain(t.user_attrs),
        "start": t.datetime_start.isoformat() if t.datetime_start else None,
        "complete": t.datetime_complete.isoformat() if t.datetime_complete else None,
        "durationSeconds": duration,
    }


def eta_squared_importances(study):
    """Share of the objective's variance explained by each parameter (correlation ratio), used when
    scikit-learn (needed by Optuna's fANOVA) is missing. Numeric parameters with many distinct values
    are cut into quantile bins so that noise is not counted as explained variance."""
    trials = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)) if t.value is not None]
    if len(trials) < 2:
        return {}
    names = set(trials[0].params)
    for t in trials[1:]:
        names &= set(t.params)
    ys = [t.value for t in trials]
    mean = sum(ys) / len(ys)
    total = sum((y - mean) ** 2 for y in ys)
    bins = max(2, min(5, len(trials) // 4))
    raw = {}
    for name in sorted(names):
        xs = [t.params[name] for t in trials]
        if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in xs) and len(set(xs)) > bins:
            order = sorted(range(len(xs)), key=lambda i: xs[i])
            keys = [0] * len(xs)
            for rank, i in enumerate(order):
                keys[i] = rank * bins // len(xs)
        else:
            keys = [json.dumps(x) for x in xs]
        groups = {}
        for k, y in zip(keys, ys):
            groups.setdefault(k, []).append(y)
        between = sum(len(g) * (sum(g) / len(g) - mean) ** 2 for g in groups.values())
        raw[name] = between / total if total > 0 else 0.0
    s = sum(raw.values())
    return {k: (v / s if s > 0 else 0.0) for k, v in sorted(raw.items(), key=lambda kv: -kv[1])}


class Bridge:
    def __init__(self):
        self.studies = {}  # handle -> optuna.Study
        self.trials = {}  # (handle, number) -> optuna.Trial (asked, not yet told)
        self.next_handle = 1

    # --- studies -----------------------------------------------------------------------------
    def study(self, args):
        h = args.get("study")
        if h not in self.studies:
            raise UserError(f"unknown study handle {h!r}; open it with create_study first")
        return h, self.studies[h]

    def op_create_study(self, a):
        storage = a.get("storage")
        if storage:
            # A generous lock timeout: the dashboard or an analysis may read the file while we write.
            storage = optuna.storages.RDBStorage(storage, engine_kwargs={"connect_args": {"timeout": 30}})
        if a.get("loadOnly"):
            study = optuna.load_study(study_name=a["name"], storage=storage)
        else:
            sampler_spec = a.get("sampler") or {"type": "tpe"}
            cls = SAMPLER_CLASSES.get(sampler_spec.get("type"))
            if cls is None:
                raise UserError(f"unknown sampler {sampler_spec.get('type')!r}; expected one of {sorted(SAMPLER_CLASSES)}")
            skw = {"seed": sampler_spec.get("seed")}
            if sampler_spec.get("type") == "tpe" and sampler_spec.get("nStartupTrials") is not None:
                skw["n_startup_trials"] = int(sampler_spec["nStartupTrials"])
            pruner_spec = a.get("pruner") or {"cls": "NopPruner", "kwargs": {}}
            pcls = PRUNER_CLASSES.get(pruner_spec["cls"])
            if pcls is None:
                raise UserError(f"unknown pruner class {pruner_spec['cls']!r}; expected one of {sorted(PRUNER_CLASSES)}")
            study = optuna.create_study(
                study_name=a["name"],
                storage=storage,
                direction=a.get("direction", "minimize"),
                sampler=cls(**skw),
                pruner=pcls(**pruner_spec.get("kwargs", {})),
                load_if_exists=bool(a.get("loadIfExists", True)),
            )
        stale = 0
        if a.get("failStaleRunning") and not a.get("loadOnly"):
            # One tuner owns a study: trials still RUNNING were interrupted (Ctrl-C, crash) and never finish.
            for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
                # the attribute first: a finished trial can no longer be updated
                study._storage.set_trial_user_attr(t._trial_id, "failReason", "interrupted: still running when the study was reopened")
                study._storage.set_trial_state_values(t._trial_id, TrialState.FAIL)
                stale += 1
        for k, v in (a.get("userAttrs") or {}).items():
            study.set_user_attr(k, v)
        h = self.next_handle
        self.next_handle += 1
        self.studies[h] = study
        return {
            "study": h,
            "name": study.study_name,
            "direction": study.direction.name.lower(),
            "trials": len(study.get_trials(deepcopy=False)),
            "staleFailed": stale,
            "userAttrs": plain(study.user_attrs),
        }

    def op_close_study(self, a):
        h, _ = self.study(a)
        del self.studies[h]
        for key in [k for k in self.trials if k[0] == h]:
            del self.trials[key]
        return True

    def op_set_study_user_attr(self, a):
        _, study = self.study(a)
        study.set_user_attr(a["key"], a["value"])
        return True

    def op_ask(self, a):
        h, study = self.study(a)
        trial = study.ask()
        self.trials[(h, trial.number)] = trial
        return {"number": trial.number}

    def trial(self, a):
        h, study = self.study(a)
        key = (h, a.get("trial"))
        if key not in self.trials:
            raise UserError(f"trial {a.get('trial')!r} is not open (never asked, or already told)")
        return h, study, self.trials[key]

    def op_suggest(self, a):
        _, _, trial = self.trial(a)
        kind, name = a["kind"], a["name"]
        if kind == "float":
            return trial.suggest_float(name, a["low"], a["high"], step=a.get("step"), log=bool(a.get("log")))
        if kind == "int":
            return trial.suggest_int(name, a["low"], a["high"], step=a.get("step") or 1, log=bool(a.get("log")))
        if kind == "categorical":
            return trial.suggest_categorical(name, a["choices"])
        raise UserError(f"unknown suggestion kind {kind!r}; expected float, int or categorical")

    def op_report(self, a):
        _, _, trial = self.trial(a)
        trial.report(float(a["value"]), int(a["step"]))
        return True

    def op_should_prune(self, a):
        _, _, trial = self.trial(a)
        return bool(trial.should_prune())

    def op_set_user_attr(self, a):
        _, _, trial = self.trial(a)
        trial.set_user_attr(a["key"], a["value"])
        return True

    def op_tell(self, a):
        h, study, trial = self.trial(a)
        outcome = a["outcome"]
        if outcome == "pruned":
            frozen = study.tell(trial, state=TrialState.PRUNED)
        elif outcome == "fail":
            frozen = study.tell(trial, state=TrialState.FAIL)
        else:
            frozen = study.tell(trial, float(outcome))
        del self.trials[(h, trial.number)]
        return trial_record(frozen)

    def op_best_trial(self, a):
        _, study = self.study(a)
        if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
            return None
        return trial_record(study.best_trial)

    def op_trials(self, a):
        _, study = self.study(a)
        return [trial_record(t) for t in study.get_trials(deepcopy=False)]

    def op_importances(self, a):
        _, study = self.study(a)
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if len(complete) < 2:
            return {"method": "none", "values": {}}
        try:
            values = optuna.importance.get_param_importances(study)
            return {"method": "fanova", "values": {k: float(v) for k, v in values.items()}}
        except ImportError:
            # Optuna's evaluators need scikit-learn, which Debian's python3-optuna does not pull in.
            return {"method": "eta-squared", "values": eta_squared_importances(study)}

    def op_hello(self, a):
        return {"optuna": optuna.__version__, "python": sys.version.split()[0], "executable": sys.executable}


def main():
    bridge = Bridge()
    emit({"id": 0, "ok": True, "result": bridge.op_hello({})})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        rid = None
        try:
            req = json.loads(line)
            rid = req.get("id")
            handler = getattr(bridge, "op_" + str(req.get("op")), None)
            if handler is None:
                raise UserError(f"unknown op {req.get('op')!r}")
            result = handler(req.get("args") or {})
            emit({"id": rid, "ok": True, "result": plain(result)})
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the caller, the loop survives
            if not isinstance(exc, UserError):
                traceback.print_exc(file=sys.stderr)
            emit({"id": rid, "ok": False, "error": {"type": type(exc).__name__, "message": str(exc)}})


if __name__ == "__main__":
    main()
