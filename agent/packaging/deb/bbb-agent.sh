#!/bin/sh
# /usr/bin/bbb-agent: the agent with the runtime it was packaged with (docs/deployment.md).
# `bbb-agent --help` lists the commands (run, --check-config, migrate, --version).
exec /opt/bbb-agent/node /opt/bbb-agent/bbb-agent.cjs "$@"
