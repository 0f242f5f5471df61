"""`--domain` is repeatable for the exporter and still means one domain everywhere else."""

from __future__ import annotations

from tui.cli import build_parser


def test_the_last_domain_wins_for_other_commands() -> None:
    args = build_parser().parse_args(["logs", "--domain", "a.example.com",
                                      "--domain", "b.example.com"])
    assert args.domain == "b.example.com"


def test_the_exporter_keeps_every_domain_given() -> None:
    args = build_parser().parse_args(["exporter", "--domain", "a.example.com",
                                      "--domain", "b.example.com", "--shard", "1/2"])
    assert args.domain_list == ["a.example.com", "b.example.com"]
    assert args.shard == "1/2"


def test_a_domain_before_the_subcommand_still_counts() -> None:
    args = build_parser().parse_args(["--domain", "a.example.com", "exporter"])
    assert args.domain == "a.example.com" and args.domain_list == ["a.example.com"]
