// A status line at the top of the dashboard's main area (role="status", hidden until there is something to say),
// made once per id: the regulation banner (banner.js) and the trace's computed-at note (trace_state.js).
export function statusNote(id, className) {
  let node = document.getElementById(id);
  if (!node) {
    node = document.createElement("p");
    node.id = id;
    node.className = `note ${className}`;
    node.setAttribute("role", "status");
    node.hidden = true;
    document.getElementById("main")?.prepend(node);
  }
  return node;
}
