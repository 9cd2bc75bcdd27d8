/** A key or key combination as shown on screen: `<Kbd keys="Ctrl+Enter" />`. */
export function Kbd({ keys }: { keys: string }) {
  const parts = keys.split("+").map((part) => (part === "Mod" ? modKey() : part));
  return (
    <span className="kbd-group" aria-label={parts.join(" ")}>
      {parts.map((part, i) => (
        <kbd key={i}>{part}</kbd>
      ))}
    </span>
  );
}

export function modKey(): string {
  return /Mac|iPhone|iPad/.test(navigator.platform) ? "⌘" : "Ctrl";
}
