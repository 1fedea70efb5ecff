/** Applies drizzle/ migrations to DATABASE_URL (or the embedded PGlite when it is unset). */
import { getDatabase } from "@/lib/db/client";

const database = await getDatabase();
console.log(`migrated ${database.kind === "postgres" ? "Postgres" : "embedded PGlite"} database`);
await database.close();
