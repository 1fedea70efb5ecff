CREATE TABLE "instance_keys" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "waits" (
	"execution_id" text NOT NULL,
	"node_key" text NOT NULL,
	"workflow_id" text NOT NULL,
	"node_id" text NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"token_hash" text NOT NULL,
	"wake_at" timestamp with time zone,
	"wake_by" text,
	"correlation_key" text,
	"child_execution_id" text,
	"approval" jsonb,
	"resolution" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "waits_execution_id_node_key_pk" PRIMARY KEY("execution_id","node_key")
);
--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "parent_execution_id" text;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "parent_node_id" text;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "parent_key" text;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "depth" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "waits" ADD CONSTRAINT "waits_execution_id_executions_id_fk" FOREIGN KEY ("execution_id") REFERENCES "public"."executions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "waits_token_idx" ON "waits" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "waits_key_idx" ON "waits" USING btree ("workflow_id","correlation_key") WHERE "waits"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "waits_wake_idx" ON "waits" USING btree ("wake_at") WHERE "waits"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "waits_child_idx" ON "waits" USING btree ("child_execution_id") WHERE "waits"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "executions_parent_idx" ON "executions" USING btree ("parent_execution_id","parent_key") WHERE "executions"."parent_execution_id" is not null;