"""The rulesets shipped with efficiency_rules, installed as package data and loaded by id.

``load_ruleset("cn.xzxk")`` reads ``cn/xzxk.yaml`` here; ``efficiency-rules rulesets`` lists them.
This directory is the package ``efficiency_rules.rulesets`` (see ``pyproject.toml``): nothing in it
is Python but this file.
"""
