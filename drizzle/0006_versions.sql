CREATE TABLE "workflow_versions" (
	"workflow_id" text NOT NULL,
	"version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"created_by" text DEFAULT 'api' NOT NULL,
	"message" text,
	"restored_from" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workflow_versions_workflow_id_version_pk" PRIMARY KEY("workflow_id","version")
);
--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "source_execution_id" text;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "retry_key" text;--> statement-breakpoint
ALTER TABLE "node_runs" ADD COLUMN "reused" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "workflow_versions" ADD CONSTRAINT "workflow_versions_workflow_id_workflows_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "executions_retry_key_idx" ON "executions" USING btree ("workflow_id","retry_key") WHERE "executions"."retry_key" is not null;