"""Capacity planning: a recommendation with its reasoning, from what Temporal and the store hold.

- usage.py: each process counts its outbound calls (waits for the budget, 429s) and writes them,
  with the runs started per hour, into the hourly roll-up (``capacity_usage``)
- signals.py: the task queues' backlog and pollers (DescribeTaskQueue) and the workers' slots
  (ListWorkers), read now
- rules.py: pure rules from those figures to advice ("add N workers before D", "raise X's
  outbound budget", "X is throttled by the target")
- advise.py: reads everything and applies the rules (``GET /api/v1/capacity``)
"""
