-- Rule outcomes, judge results and human decisions become evaluation rows; `appliedRules` is read from them.

-- AlterTable
ALTER TABLE "evaluations" ADD COLUMN     "position" INTEGER NOT NULL DEFAULT 0;

-- Backfill: each stored rule outcome becomes its evaluation (as ruleEvaluationRows writes new ones).
INSERT INTO "evaluations" ("id", "trace_id", "workspace_id", "evaluator", "evaluator_version", "name", "score", "label", "reason", "metadata", "position", "created_at")
SELECT 'rule:' || (r.value->>'ruleId'), l.id, l.workspace_id,
  CASE WHEN r.value->>'ruleType' = 'llm_judge' THEN 'llm_judge.' || coalesce(ru.llm_judge_provider::text, 'unresolved') ELSE 'rule.' || (r.value->>'ruleType') END,
  NULL, coalesce(r.value->>'ruleName', ''),
  CASE WHEN r.value->>'ruleType' = 'llm_judge' THEN (r.value->>'confidence')::float8
       WHEN r.value->>'outcome' = 'passed' THEN 1 WHEN r.value->>'outcome' = 'triggered' THEN 0 END,
  CASE r.value->>'outcome' WHEN 'passed' THEN 'pass' WHEN 'triggered' THEN 'fail' ELSE 'error' END,
  r.value->>'explanation',
  jsonb_build_object('ruleId', r.value->'ruleId', 'ruleType', r.value->'ruleType', 'ruleValue', r.value->'ruleValue',
    'scope', r.value->'scope', 'outcome', r.value->'outcome'),
  (r.n - 1)::int, coalesce(l.evaluated_at, l.updated_at)
FROM "logs" l
CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(l.applied_rules) = 'array' THEN l.applied_rules ELSE '[]'::jsonb END) WITH ORDINALITY AS r(value, n)
LEFT JOIN "rules" ru ON ru.id::text = r.value->>'ruleId'
ON CONFLICT ("trace_id", "id") DO NOTHING;

-- Backfill: a decided log's current decision becomes its human evaluation.
INSERT INTO "evaluations" ("id", "trace_id", "workspace_id", "evaluator", "name", "score", "label", "metadata", "created_at")
SELECT 'human:' || l.id, l.id, l.workspace_id, 'human', 'review', CASE WHEN l.human_decision = 'approved' THEN 1 ELSE 0 END,
  l.human_decision::text, jsonb_build_object('decidedBy', l.decided_by, 'source', l.decision_source), coalesce(l.decided_at, l.updated_at)
FROM "logs" l WHERE l.human_decision IS NOT NULL
ON CONFLICT ("trace_id", "id") DO NOTHING;

-- AlterTable
ALTER TABLE "logs" DROP COLUMN "applied_rules";
