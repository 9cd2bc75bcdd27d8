import type { ReactNode } from "react";
import { Link } from "../app/Link";

interface NoAccessProps {
  /** Why, in a sentence (what the page is for, who may see it). */
  children: ReactNode;
  title?: string;
  /** Where to go instead, besides "your projects". */
  links?: { to: string; label: string }[];
}

/** A page the person may not see: says so plainly, and offers a way back. */
export function NoAccess({ children, title = "You don't have access to this page", links = [] }: NoAccessProps) {
  return (
    <section className="no-access" aria-labelledby="no-access-title">
      <h1 id="no-access-title">{title}</h1>
      <div className="no-access-why">{children}</div>
      <p className="no-access-links">
        {links.map((link) => (
          <Link key={link.to} to={link.to} className="button">
            {link.label}
          </Link>
        ))}
        <Link to="/" className="button button-quiet">
          Back to your projects
        </Link>
      </p>
    </section>
  );
}
