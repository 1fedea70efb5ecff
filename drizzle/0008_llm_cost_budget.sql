ALTER TABLE "executions" ADD COLUMN "budget" jsonb;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "llm_prompt_tokens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "llm_completion_tokens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "llm_cost_usd" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "llm_saved_usd" double precision DEFAULT 0 NOT NULL;