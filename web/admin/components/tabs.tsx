/**
 * Tabs as links (each tab has its own URL, so reload and back work), marked up as a tab list
 * with the active tab `aria-current`.
 */
interface Tab {
  id: string;
  label: string;
  href: string;
}

export function Tabs({ tabs, active, label }: { tabs: Tab[]; active: string; label: string }) {
  return (
    <nav class="tabs" aria-label={label}>
      <ul>
        {tabs.map((tab) => (
          <li key={tab.id}>
            <a href={tab.href} aria-current={tab.id === active ? 'page' : undefined} data-testid={`tab-${tab.id}`}>
              {tab.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
