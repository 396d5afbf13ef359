import pytest

from nettune.cli.args import parse_options
from nettune.config import OptimizationConfig
from nettune.errors import ConfigError


def test_key_value_and_flags_mix():
    cfg = parse_options(["dataset=fashion_mnist", "trials=8", "--mode", "simple", "--run-name=demo",
                         "health_weight=0.5", "activation=swish", "warm_start=false"])
    assert (cfg.dataset, cfg.trials, cfg.mode, cfg.run_name) == ("fashion_mnist", 8, "simple", "demo")
    assert cfg.health_weight == 0.5 and cfg.activation == "swish" and cfg.warm_start is False


def test_seed_aliases_are_accepted():
    cfg = parse_options(["dataset_name=imdb", "gpu_proxy_sample_percentage=0.5", "n_trials=3"])
    assert (cfg.dataset, cfg.data_fraction, cfg.trials) == ("imdb", 0.5, 3)


@pytest.mark.parametrize(
    ("tokens", "fragment"),
    [
        (["datset=mnist"], "did you mean 'dataset'"),
        (["dataset=mnits"], "did you mean 'mnist'"),
        (["trials=many"], "expected a number"),
        (["trials=0"], "out of range"),
        (["data_fraction=0"], "must be > 0.0"),
        (["data_fraction=1.5"], "<= 1.0"),
        (["health_weight=-0.1"], "out of range"),
        (["mode=fast"], "choose one of: simple, health"),
        (["activation=softmax"], "choose one of"),
        (["run_name=../escape"], "run_name"),
        (["--trials"], "needs a value"),
        (["mnist"], "key=value"),
    ],
)
def test_bad_input_is_one_clear_line(tokens, fragment):
    with pytest.raises(ConfigError) as err:
        parse_options(tokens)
    message = str(err.value)
    assert fragment in message and "\n" not in message


def test_default_storage_is_sqlite_in_run_dir(tmp_path):
    cfg = OptimizationConfig(output_dir=str(tmp_path), run_name="r1")
    assert cfg.run_dir == tmp_path / "r1"
    assert cfg.storage_url() == f"sqlite:///{(tmp_path / 'r1' / 'study.db').resolve()}"


def test_run_name_defaults_to_dataset_mode_and_time():
    cfg = OptimizationConfig(dataset="imdb", mode="simple")
    assert cfg.resolved_run_name().startswith("imdb_simple_")


def test_dataset_spellings_mean_the_same_to_the_options_and_the_catalog():
    # One list of names and aliases (nettune.dataset_ref): what the catalog loads, the options accept.
    from nettune.data.catalog import resolve
    from nettune.dataset_ref import DATASET_ALIASES

    for alias, name in DATASET_ALIASES.items():
        assert OptimizationConfig(dataset=alias).dataset == name == resolve(alias).name
    assert OptimizationConfig(dataset="CIFAR-10").dataset == "cifar10"
    with pytest.raises(ConfigError, match="did you mean 'mnist'"):
        OptimizationConfig(dataset="mnst")
