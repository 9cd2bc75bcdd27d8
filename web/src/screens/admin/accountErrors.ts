/** Where a refusal of the accounts API belongs in a form: beside the email, the password, or above. */
import { ApiError } from "../../api";

export interface AccountProblems {
  email?: string;
  password?: string;
  other?: string;
}

export function accountProblems(error: unknown): AccountProblems {
  if (!(error instanceof ApiError)) return error ? { other: error instanceof Error ? error.message : String(error) } : {};
  if (error.isUnauthorized) return {};
  const details = error.details && typeof error.details === "object" && !Array.isArray(error.details) ? (error.details as Record<string, unknown>) : {};
  if (error.code === "weak_password" || details.field === "password") return { password: error.message };
  if (details.field === "email" || (error.status === 409 && "email" in details)) return { email: error.message };
  const fromList = error.problems.find((p) => p.path === "email" || p.path === "password");
  if (fromList) return { [fromList.path]: fromList.message };
  return { other: error.message };
}
