"""Stop words a word cloud ignores: the commonest Dutch, French and English words.

Written folded (lower case, no accents), the form `participant_text.fold` gives, so a
lookup needs no further normalising. Short lists on purpose: only words that say nothing
on their own, never a word a room might mean ("samen", "ensemble", "together" stay).
"""

from __future__ import annotations

DUTCH = frozenset(
    """
    aan al alle alles als altijd ander andere anders ben bij bijna dan dat de der deze die
    dit doch doen door dus een eens en er ge geen geweest haar had heb hebben heeft hem het
    hier hij hoe hun ik in is ja je jij jou jouw kan kon kunnen maar me meer men met mij
    mijn moet na naar niet niets nog nu of om omdat ons onze ook op over reeds te tegen
    toch toen tot u uit uw van veel voor want waren was wat we wel werd wezen wie wij wil
    worden wordt zal ze zei zelf zich zij zijn zo zonder zou
    """.split()
)

FRENCH = frozenset(
    """
    a ai as au aux avec avait avoir c ca ce ceci cela ces cet cette chez comme d dans de
    des du elle elles en est et etait ete etre eu il ils j je l la le les leur leurs lui m
    ma mais me meme mes moi mon n ne ni nos notre nous on ont ou par pas pour qu que qui s
    sa sans se ses si son sont sur t ta te tes toi ton tu un une vos votre vous y
    """.split()
)

ENGLISH = frozenset(
    """
    a about all am an and any are as at be been but by can could did do does for from had
    has have he her him his how i if in into is it its just me my no nor not of on or our
    she so than that the their them then there these they this those to too us very was
    we were what when which who why will with would you your
    """.split()
)

STOP_WORDS = DUTCH | FRENCH | ENGLISH
"""Every stop word of the three languages, folded."""
