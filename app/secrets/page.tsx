import type { Metadata } from "next";
import { DeleteSecretButton } from "@/components/secrets/delete-secret-button";
import { SecretForm } from "@/components/secrets/secret-form";
import { EmptyState } from "@/components/ui/empty-state";
import { formatDateTime } from "@/components/ui/format";
import { getDatabase } from "@/lib/db/client";
import { listSecrets, SECRET_ENV_PREFIX, secretsTableAvailable } from "@/lib/security/secrets";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Secrets" };

/** The secrets workflows can use: names and where each comes from, never values. */
export default async function SecretsPage() {
  const secrets = await listSecrets(await getDatabase());
  const storeAvailable = secretsTableAvailable();
  return (
    <main className="page">
      <div className="page-head">
        <div>
          <h1>Secrets</h1>
          <p>Credentials for your workflows, referenced as {"{{ secrets.NAME }}"} and never shown back.</p>
        </div>
      </div>
      <div className="stack">
        {storeAvailable ? (
          <SecretForm />
        ) : (
          <section className="card card-pad" data-testid="secrets-store-unavailable">
            <h2>Storing secrets here needs APP_SECRET</h2>
            <p className="muted">
              Set <code>APP_SECRET</code> (a long random string) to keep secrets in the database, encrypted.
              Until then, set them as environment variables: <code>{SECRET_ENV_PREFIX}GITHUB_TOKEN=…</code>{" "}
              becomes <code>{"{{ secrets.GITHUB_TOKEN }}"}</code>.
            </p>
          </section>
        )}
        <section className="card" aria-label="Secrets">
          {secrets.length === 0 ? (
            <EmptyState title="No secrets yet" testId="secrets-empty">
              Add one above, or set a {SECRET_ENV_PREFIX}NAME environment variable.
            </EmptyState>
          ) : (
            <table className="table" data-testid="secrets-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Source</th>
                  <th scope="col">Updated</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {secrets.map((s) => (
                  <tr key={s.name} data-testid={`secret-row-${s.name}`} data-source={s.source}>
                    <td className="mono">{s.name}</td>
                    <td className="muted">
                      {s.source === "env"
                        ? `environment (${SECRET_ENV_PREFIX}${s.name})`
                        : s.overridesEnv
                          ? "stored (overrides the environment)"
                          : "stored, encrypted"}
                    </td>
                    <td className="muted">{s.updatedAt ? formatDateTime(s.updatedAt) : "—"}</td>
                    <td>
                      <div className="table-actions">
                        {s.source === "stored" ? <DeleteSecretButton name={s.name} /> : null}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </main>
  );
}
