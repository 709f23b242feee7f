import { api } from "./api.js";
import { confirmByTyping } from "./confirm.js";

// Deletes a stream once the user typed its name; registered consumers are deregistered with it.
// `beforeDelete` runs once confirmed (the stream page stops its live tail there).
export async function deleteStream(name, consumerCount, beforeDelete = async () => {}) {
  const consumers = consumerCount > 0
    ? ` Its ${consumerCount} registered consumer${consumerCount > 1 ? "s" : ""} will be deregistered too.` : "";
  const ok = await confirmByTyping(`Delete stream ${name}?`,
    `All its records are removed and cannot be recovered.${consumers}`, name);
  if (!ok) return false;
  await beforeDelete();
  try {
    await api.deleteStream(name, true);
    return true;
  } catch (e) {
    alert(`Could not delete ${name}: ${e.message}`);
    return false;
  }
}
