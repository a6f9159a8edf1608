import { useState } from "react";
import { useLocalFirstAuth } from "jazz-tools/react";
import { RecoveryPhrase } from "jazz-tools/passphrase";
import { BrowserPasskeyBackup } from "jazz-tools/passkey-backup";

const passkeyBackup = new BrowserPasskeyBackup({ appName: "Jazz Todos" });

/** Recovery-phrase and passkey backup/restore of the local-first secret (the account). */
export function Backup() {
  const { secret, login } = useLocalFirstAuth();
  const [phrase, setPhrase] = useState<string | null>(null);
  const [input, setInput] = useState("");
  const [status, setStatus] = useState<string | null>(null);

  const run = async (label: string, action: () => Promise<void>) => {
    try {
      await action();
      setStatus(label);
    } catch (err) {
      setStatus(`${(err as Error).name}: ${(err as Error).message}`);
    }
  };

  return (
    <section id="backup" className="card">
      <h2>Your account</h2>
      <p className="hint">Your account is a secret kept in this browser. Back it up to open your todos on another device.</p>
      <button id="show-phrase" onClick={() => secret && setPhrase(RecoveryPhrase.fromSecret(secret))}>
        Show recovery phrase
      </button>
      {phrase && <pre id="recovery-phrase">{phrase}</pre>}
      <form
        id="restore-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run("Restored: this browser now uses the restored account", async () => {
            await login(RecoveryPhrase.toSecret(input));
            setInput("");
            setPhrase(null);
          });
        }}
      >
        <textarea id="restore-input" placeholder="24-word recovery phrase" value={input} onChange={(e) => setInput(e.target.value)} />
        <button id="restore-btn" type="submit">Restore</button>
      </form>
      <button id="passkey-backup" onClick={() => void run("Passkey saved", async () => passkeyBackup.backup(secret!, "Jazz Todos user"))}>
        Back up with passkey
      </button>
      <button id="passkey-restore" onClick={() => void run("Restored from passkey: this browser now uses that account", async () => login(await passkeyBackup.restore()))}>
        Restore from passkey
      </button>
      {status && <p id="backup-status">{status}</p>}
    </section>
  );
}
