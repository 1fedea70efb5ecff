CREATE TABLE "webhooks" (
	"token" text PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"trigger_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_workflow_id_workflows_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "webhooks_trigger_idx" ON "webhooks" USING btree ("workflow_id","trigger_id");