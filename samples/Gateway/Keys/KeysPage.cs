namespace Gateway;

/// <summary>The page at <c>/keys</c>: list, add (validated by the upstream) and remove upstream keys by hand, with the admin key.</summary>
/// <remarks>The page holds no secret: it asks for the admin key and sends it with each call to the JSON endpoints; keys are only ever shown masked.</remarks>
internal static class KeysPage
{
    public const string Html = """
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LlmAdapters Gateway · upstream keys</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; background: #f5f6f8; color: #1d232b; }
  header { background: #1d2b3a; color: #fff; padding: 14px 28px; }
  header h1 { font-size: 19px; margin: 0; font-weight: 600; }
  main { padding: 20px 28px; max-width: 1000px; }
  form { display: flex; gap: 8px; flex-wrap: wrap; align-items: end; margin-bottom: 18px; }
  label { display: flex; flex-direction: column; font-size: 12px; color: #5b6775; }
  input { font: inherit; padding: 6px 8px; border: 1px solid #c9ced6; border-radius: 6px; min-width: 200px; }
  button { font: inherit; padding: 6px 14px; border: 0; border-radius: 6px; background: #1d4ed8; color: #fff; cursor: pointer; }
  button.remove { background: #b42318; padding: 3px 10px; }
  table { border-collapse: collapse; width: 100%; background: #fff; border-radius: 8px; overflow: hidden; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  th, td { padding: 8px 12px; text-align: left; border-bottom: 1px solid #eceef1; }
  th { background: #fafbfc; color: #5b6775; font-weight: 600; font-size: 12px; }
  #message { margin: 8px 0 16px; min-height: 1.4em; }
  #message.bad { color: #b42318; }
</style>
</head>
<body>
<header><h1>Upstream keys</h1></header>
<main>
  <form id="admin"><label>Admin key<input id="admin-key" type="password" autocomplete="off"></label><button type="submit">Show keys</button></form>
  <form id="add"><label>Profile<input id="profile" autocomplete="off"></label><label>Upstream key<input id="key" type="password" autocomplete="off"></label><button type="submit">Validate and add</button></form>
  <div id="message"></div>
  <table>
    <thead><tr><th>Id</th><th>Profile</th><th>Key</th><th>Source</th><th>State</th><th>Reason</th><th></th></tr></thead>
    <tbody id="keys"></tbody>
  </table>
</main>
<script>
const headers = () => ({ "Authorization": "Bearer " + document.getElementById("admin-key").value, "Content-Type": "application/json", "Accept": "application/json" });
function say(text, bad) { const m = document.getElementById("message"); m.textContent = text; m.className = bad ? "bad" : ""; }
async function load() {
  const r = await fetch("keys", { headers: headers(), cache: "no-store" });
  const body = await r.json();
  if (!r.ok) { say(body.error.message, true); return; }
  const rows = document.getElementById("keys");
  rows.replaceChildren();
  for (const k of body.data) {
    const tr = rows.insertRow();
    for (const v of [k.id, k.profile, k.key, k.source, k.state, k.reason || ""]) tr.insertCell().textContent = v;
    const cell = tr.insertCell();
    if (k.source === "added") {
      const b = document.createElement("button");
      b.className = "remove"; b.textContent = "Remove";
      b.onclick = async () => { const d = await fetch("keys/" + encodeURIComponent(k.id), { method: "DELETE", headers: headers() }); say(d.ok ? "Removed " + k.id : (await d.json()).error.message, !d.ok); load(); };
      cell.appendChild(b);
    }
  }
}
document.getElementById("admin").onsubmit = e => { e.preventDefault(); load(); };
document.getElementById("add").onsubmit = async e => {
  e.preventDefault();
  say("Validating with the upstream…");
  const r = await fetch("keys", { method: "POST", headers: headers(), body: JSON.stringify({ profile: document.getElementById("profile").value, key: document.getElementById("key").value }) });
  const body = await r.json();
  say(r.ok ? "Added " + body.id + " (" + body.key + ")" : body.error.message, !r.ok);
  if (r.ok) document.getElementById("key").value = "";
  load();
};
</script>
</body>
</html>
""";
}
