-- Custom migration (drizzle-kit generate --custom): every existing workflow gets a version row for
-- its current version, so history starts from what is stored today.
INSERT INTO "workflow_versions" ("workflow_id", "version", "definition", "created_by", "message", "created_at")
SELECT "id", "version", "definition", 'migration', 'Version stored before version history', "updated_at"
FROM "workflows"
ON CONFLICT DO NOTHING;
