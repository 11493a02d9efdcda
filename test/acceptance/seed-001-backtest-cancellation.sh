#!/usr/bin/env bash
# Seed 001 (backtest/cancellation), its commands verbatim. Three values can be set from outside,
# each defaulting to the seed's: MODEL_PATH (the seed's models/neuro_mean_reversion/1d_v21/model.pt
# names a KTRDR model that does not exist here: point it at one trained from the sample data), and
# the bar size and date range (our engine runs two years of daily bars in well under the seed's
# 5 s wait, so the test uses a range long enough that the job is still running when it cancels).
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
MODEL_PATH=${MODEL_PATH:-models/neuro_mean_reversion/1d_v21/model.pt}
TIMEFRAME=${TIMEFRAME:-1d}
START_DATE=${START_DATE:-2023-01-01}
END_DATE=${END_DATE:-2024-12-31}

# 1. Start Long Backtest
RESPONSE=$(curl -s -X POST http://localhost:${KTRDR_API_PORT:-8000}/api/v1/backtests/start \
  -H "Content-Type: application/json" \
  -d '{
    "model_path": "'"$MODEL_PATH"'",
    "strategy_name": "neuro_mean_reversion",
    "symbol": "EURUSD",
    "timeframe": "'"$TIMEFRAME"'",
    "start_date": "'"$START_DATE"'",
    "end_date": "'"$END_DATE"'"
  }')

OPERATION_ID=$(echo "$RESPONSE" | jq -r '.operation_id')
[ -n "$OPERATION_ID" ] && [ "$OPERATION_ID" != null ] || fail "no operation_id: $RESPONSE"

# 2. Wait and Verify Running
sleep 5
BEFORE=$(curl -s "http://localhost:${KTRDR_API_PORT:-8000}/api/v1/operations/$OPERATION_ID" | \
  jq '{status:.data.status, pct:.data.progress.percentage}')
echo "$BEFORE"
echo "$BEFORE" | jq -e '.status == "running" and .pct > 0' >/dev/null || fail "not running with progress > 0: $BEFORE"

# 3. Cancel
CODE=$(curl -s -o /tmp/seed001-cancel.json -w '%{http_code}' -X DELETE "http://localhost:${KTRDR_API_PORT:-8000}/api/v1/operations/$OPERATION_ID")
jq . /tmp/seed001-cancel.json
[ "$CODE" = 200 ] || fail "cancel answered $CODE"

# 4. Verify Cancelled
sleep 2
AFTER=$(curl -s "http://localhost:${KTRDR_API_PORT:-8000}/api/v1/operations/$OPERATION_ID" | \
  jq '{status:.data.status, pct:.data.progress.percentage}')
echo "$AFTER"
echo "$AFTER" | jq -e '.status == "cancelled" or .status == "failed"' >/dev/null || fail "not cancelled: $AFTER"
sleep 2
LATER=$(curl -s "http://localhost:${KTRDR_API_PORT:-8000}/api/v1/operations/$OPERATION_ID" | jq '{status:.data.status, pct:.data.progress.percentage}')
[ "$(echo "$AFTER" | jq .pct)" = "$(echo "$LATER" | jq .pct)" ] || fail "progress still moving: $AFTER then $LATER"

# 5. Verify System Stability
NEW=$(curl -s -X POST http://localhost:${KTRDR_API_PORT:-8000}/api/v1/backtests/start \
  -H "Content-Type: application/json" \
  -d '{
    "model_path": "'"$MODEL_PATH"'",
    "strategy_name": "neuro_mean_reversion",
    "symbol": "EURUSD",
    "timeframe": "'"$TIMEFRAME"'",
    "start_date": "2024-01-01",
    "end_date": "2024-01-31"
  }')
echo "$NEW" | jq '{success:.success}'
echo "$NEW" | jq -e '.success == true' >/dev/null || fail "new backtest did not start: $NEW"
echo "SEED 001 PASSED"
