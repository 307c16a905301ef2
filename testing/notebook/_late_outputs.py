# nbconvert config file (`jupyter nbconvert --config <this file>`) loaded by execute_notebook.ts.
#
# Deno's Jupyter kernel can publish a cell's outputs (console streams, displays, results) after
# that cell's "idle" status, most often on a loaded machine. Stock nbclient stops listening to a
# cell at its idle status and drops every later message of that cell as belonging to no current
# cell, so outputs vanished from executed notebooks. This patch files each output under the cell
# whose request it answers, whenever it arrives while the notebook runs, and after the last cell
# sends one silent empty request and keeps listening until that request's idle status, so late
# outputs of the last cell are kept too.
from nbclient.client import NotebookClient
from nbclient.exceptions import CellExecutionComplete
from nbclient.util import ensure_async, run_sync
from nbformat.v4 import new_code_cell

_execute_cell = NotebookClient.async_execute_cell


async def _poll_output_msg(self, parent_msg_id, cell, cell_index):
    owners = self.__dict__.setdefault("_late_output_owners", {})
    owners[parent_msg_id] = (cell, cell_index)
    while True:
        msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
        owner = owners.get(msg["parent_header"].get("msg_id"))
        if owner is None:
            continue
        try:
            self.process_message(msg, owner[0], owner[1])
        except CellExecutionComplete:
            if owner[0] is cell:
                return


async def _execute_cell_keeping_late_outputs(self, cell, cell_index, *args, **kwargs):
    result = await _execute_cell(self, cell, cell_index, *args, **kwargs)
    if cell_index == len(self.nb.cells) - 1 and self.kc is not None:
        sentinel = new_code_cell("", metadata={"execution": {}})
        msg_id = await ensure_async(self.kc.execute("", silent=True, store_history=False))
        await self._async_poll_output_msg(msg_id, sentinel, -1)
    return result


NotebookClient._async_poll_output_msg = _poll_output_msg
NotebookClient.async_execute_cell = _execute_cell_keeping_late_outputs
# nbconvert's ExecutePreprocessor calls the synchronous wrapper, which nbclient binds to the
# original coroutine function when its class is created.
NotebookClient.execute_cell = run_sync(_execute_cell_keeping_late_outputs)
