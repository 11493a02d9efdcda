#!/usr/bin/env bash
# Seed 000 (training/cancellation), its commands verbatim, each expectation checked.
# Needs: a server on KTRDR_API_PORT with EURUSD 5m bars over the range and EURUSD 1d for 2024
# (the test loads them first), strategy test_e2e_local_pull. START_DATE/END_DATE default to the
# seed's two years; our trainer finishes those in under the seed's 10 s wait, so the test passes a
# longer range ("long enough that the job is still running when they cancel it").
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
START_DATE=${START_DATE:-2023-01-01}
END_DATE=${END_DATE:-2025-01-01}

# 1. Start Training
RESPONSE=$(curl -s -X POST http://localhost:${KTRDR_API_PORT:-8000}/api/v1/trainings/start \
  -H "Content-Type: application/json" \
  -d '{"symbols":["EURUSD"],"timeframes":["5m"],"strategy_name":"test_e2e_local_pull","start_date":"'"$START_DATE"'","end_date":"'"$END_DATE"'"}')

TASK_ID=$(echo "$RESPONSE" | jq -r '.task_id')
echo "Task ID: $TASK_ID"
[ -n "$TASK_ID" ] && [ "$TASK_ID" != null ] || fail "no task_id: $RESPONSE"

# 2. Wait and Verify Running
sleep 10
BEFORE=$(curl -s "http://localhost:${KTRDR_API_PORT:-8000}/api/v1/operations/$TASK_ID" | \
  jq '{status:.data.status, percentage:.data.progress.percentage}')
echo "$BEFORE"
echo "$BEFORE" | jq -e '.status == "running" and .percentage > 0' >/dev/null || fail "not running with progress > 0 after 10 s: $BEFORE"

# 3. Cancel Operation
CODE=$(curl -s -o /tmp/seed000-cancel.json -w '%{http_code}' -X DELETE "http://localhost:${KTRDR_API_PORT:-8000}/api/v1/operations/$TASK_ID")
jq . /tmp/seed000-cancel.json
[ "$CODE" = 200 ] || fail "cancel answered $CODE"

# 4. Verify Cancellation
sleep 2
AFTER=$(curl -s "http://localhost:${KTRDR_API_PORT:-8000}/api/v1/operations/$TASK_ID" | \
  jq '{status:.data.status, percentage:.data.progress.percentage}')
echo "$AFTER"
echo "$AFTER" | jq -e '.status == "cancelled" or .status == "failed"' >/dev/null || fail "not cancelled: $AFTER"
sleep 2
LATER=$(curl -s "http://localhost:${KTRDR_API_PORT:-8000}/api/v1/operations/$TASK_ID" | jq '{status:.data.status, percentage:.data.progress.percentage}')
[ "$(echo "$AFTER" | jq .percentage)" = "$(echo "$LATER" | jq .percentage)" ] || fail "progress still moving: $AFTER then $LATER"

# 5. Verify System Stability
NEW_RESPONSE=$(curl -s -X POST http://localhost:${KTRDR_API_PORT:-8000}/api/v1/trainings/start \
  -H "Content-Type: application/json" \
  -d '{"symbols":["EURUSD"],"timeframes":["1d"],"strategy_name":"test_e2e_local_pull","start_date":"2024-01-01","end_date":"2024-12-31"}')

echo "$NEW_RESPONSE" | jq '{success:.success, task_id:.task_id}'
echo "$NEW_RESPONSE" | jq -e '.success == true and (.task_id | type == "string")' >/dev/null || fail "new training did not start: $NEW_RESPONSE"

# Sanity: the cancelled operation is not "completed"
curl -s "http://localhost:${KTRDR_API_PORT:-8000}/api/v1/operations/$TASK_ID" | \
  jq -e '.data.status != "completed"' >/dev/null || fail "cancelled operation completed"
echo "NEW_TASK_ID=$(echo "$NEW_RESPONSE" | jq -r .task_id)"
echo "SEED 000 PASSED"
