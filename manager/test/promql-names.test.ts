import { describe, expect, it } from "vitest";
import { promqlMetricNames } from "./promql-names.js";

describe("promqlMetricNames", () => {
  it("finds selected metrics, not functions, labels, ranges or grouping", () => {
    expect(
      promqlMetricNames(
        'histogram_quantile(0.99, sum by (le, method) (rate(bbb_x_bucket{instance=~"$instance",job="a b"}[$__rate_interval])))',
      ),
    ).toEqual(["bbb_x_bucket"]);
    expect(promqlMetricNames("process_open_fds / process_max_fds > 0.8 and on (instance) up == 1")).toEqual([
      "process_open_fds",
      "process_max_fds",
      "up",
    ]);
    expect(promqlMetricNames('sum without (state) (bbb_boards{state="lost"}) > 0')).toEqual(["bbb_boards"]);
  });
});
