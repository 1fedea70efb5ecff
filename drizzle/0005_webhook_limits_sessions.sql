CREATE TABLE "webhook_hits" (
	"token" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"hits" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "webhook_hits_token_window_start_pk" PRIMARY KEY("token","window_start")
);
--> statement-breakpoint
ALTER TABLE "webhooks" ADD COLUMN "rate_limit" integer;--> statement-breakpoint
ALTER TABLE "webhooks" ADD COLUMN "rate_window_seconds" integer;--> statement-breakpoint
ALTER TABLE "webhook_hits" ADD CONSTRAINT "webhook_hits_token_webhooks_token_fk" FOREIGN KEY ("token") REFERENCES "public"."webhooks"("token") ON DELETE cascade ON UPDATE no action;