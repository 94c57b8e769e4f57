#!/usr/bin/python3
"""Parses a status page's OpenMetrics text with the Prometheus project's own Python client
(Debian's python3-prometheus-client) and prints its families as tab-separated lines, for the Java tests.

The whole page goes through the Prometheus text-format parser, which takes php-fpm's
phpfpm_* counters as php-fpm writes them (without the _total suffix OpenMetrics wants);
jfpm's own jfpm_* families also go through the strict OpenMetrics parser. Any parse
error exits 1 with the parser's message."""
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
from prometheus_client.parser import text_string_to_metric_families as prometheus

text = sys.stdin.read()
try:
    if not text.endswith("# EOF\n"):
        raise ValueError("no '# EOF' line at the end")
    families = list(prometheus(text[: -len("# EOF\n")]))
    start = text.find("# HELP jfpm_")
    strict = list(openmetrics(text[start:])) if start >= 0 else []
except Exception as e:  # the parsers raise ValueError and friends
    print("parse error: %s" % e, file=sys.stderr)
    sys.exit(1)


def emit(kind, families):
    # one line a family (KIND name type), then one a sample (S name value label=value ...), tab-separated
    for f in families:
        print("%s\t%s\t%s" % (kind, f.name, f.type))
        for s in f.samples:
            labels = ["%s=%s" % (k, v) for k, v in sorted(s.labels.items())]
            print("\t".join(["S", s.name, repr(float(s.value))] + labels))


emit("F", families)
emit("O", strict)
