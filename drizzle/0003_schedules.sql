CREATE TABLE "schedules" (
	"workflow_id" text NOT NULL,
	"trigger_id" text NOT NULL,
	"cron" text NOT NULL,
	"timezone" text,
	"next_run_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "schedules_workflow_id_trigger_id_pk" PRIMARY KEY("workflow_id","trigger_id")
);
--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_workflow_id_workflows_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "schedules_due_idx" ON "schedules" USING btree ("next_run_at");